// Starts ReDoc on /redoc. Kept out of the HTML so that the page needs no inline script
// (CSP script-src 'self'). The spec URL comes from the data-spec-url attribute.
(function () {
  "use strict";
  var el = document.getElementById("redoc");
  Redoc.init(el.getAttribute("data-spec-url"), {
    expandResponses: "200,201",
    pathInMiddlePanel: true,
    sortPropsAlphabetically: false
  }, el);
})();
