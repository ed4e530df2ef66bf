// Messages of the public face's kiosk pages (Chinese first).
export default {}
