// Messages of the public face's social pages (Chinese first).
export default {}
