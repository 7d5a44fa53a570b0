// Swagger UI over both specs of this service, OpenAPI 3 first. A file of
// its own rather than an inline script, so that a Content-Security-Policy of
// script-src 'self' allows it.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    urls: [
      { url: 'openapi.json', name: 'OpenAPI 3 (openapi.json)' },
      { url: 'doc.json', name: 'Swagger 2.0 (doc.json)' },
    ],
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    validatorUrl: null,
  });
});
