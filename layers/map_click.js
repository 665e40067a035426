// Appended to the app's map script (the map is `map_div` in streamlit-folium's frame): a click on
// the map goes to the app at once. streamlit-folium sends clicks through the 250 ms debounce it
// uses for map moves; its own call then finds this value already sent (`previous_data`) and sends
// nothing. A click on a vector layer reaches the layer's handler first, so `last_object_clicked`
// is already set here; markers do not pass clicks on to the map and keep the debounce.
map_div.on("click", function (event) {
  var data = window.__GLOBAL_DATA__;
  var wanted = (data && data.returned_objects) || [];
  var known = {last_clicked: event.latlng, last_object_clicked: data && data.last_object_clicked};
  if (!data || !window.Streamlit || data.wrap_longitude || wanted.some(function (k) { return !(k in known); })) {
    return;  // a value this code cannot build exactly as streamlit-folium does: leave it to the debounce
  }
  data.lat_lng_clicked = event.latlng;
  var value = {};
  Object.keys(known).forEach(function (k) { if (wanted.indexOf(k) >= 0) { value[k] = known[k]; } });
  if (JSON.stringify(data.previous_data) !== JSON.stringify(value)) {
    data.previous_data = value;
    window.Streamlit.setComponentValue(value);
  }
});
