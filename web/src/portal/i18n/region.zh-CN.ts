// Messages of the public face's region pages (Chinese first).
export default {}
