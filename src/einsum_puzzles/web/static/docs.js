// Starts Swagger UI on /docs from the locally served bundle (no inline script, no network).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") return;
    root.replaceChildren();
    window.SwaggerUIBundle({
      url: root.dataset.openapi,
      dom_id: "#swagger-ui",
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: false,
      validatorUrl: null,
      tryItOutEnabled: true,
    });
  });
})();
