// Messages of the public face's kiosk pages (English).
export default {}
