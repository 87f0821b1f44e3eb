// Starts Swagger UI on /docs. Kept out of the HTML so that the page needs no inline script
// (CSP script-src 'self'). The spec URL comes from the data-spec-url attribute.
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-spec-url"),
    domNode: el,
    deepLinking: true,
    // The default would load a badge from validator.swagger.io (another host).
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
    displayRequestDuration: true,
    tryItOutEnabled: false
  });
})();
