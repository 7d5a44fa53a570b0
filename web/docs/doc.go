// Package docs holds web's API specs, as make swag writes them: the Swagger
// 2.0 spec swag generates from the handlers' annotations (web_swagger.json
// and .yaml), its OpenAPI 3 conversion (web_openapi.json and .yaml) and the
// generated Go file that embeds them for apidocs.Mount. They are committed
// and make swag-check holds them to the annotations; the binary carries them
// as bytes, without swag.
package docs
