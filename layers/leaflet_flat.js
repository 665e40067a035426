// Loaded before Leaflet in the app's map frame: Leaflet places markers with left/top instead of
// 3D transforms. Each 3D-transformed marker is a compositor layer of its own, and with some 70
// markers Chromium spent about 160 ms per app rerun arranging layers (trace "Layerize").
window.L_DISABLE_3D = true;
