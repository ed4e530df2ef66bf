// Messages of the public face's forces pages (Chinese first).
export default {}
