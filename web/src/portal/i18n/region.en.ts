// Messages of the public face's region pages (English).
export default {}
