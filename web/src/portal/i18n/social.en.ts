// Messages of the public face's social pages (English).
export default {}
