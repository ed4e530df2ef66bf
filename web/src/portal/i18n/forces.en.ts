// Messages of the public face's forces pages (English).
export default {}
