package apidocs

// Spec is one service's API in both versions, as its docs package embeds
// them.
type Spec struct {
	// Title is the API's info.title, which the UI page shows.
	Title string
	// Swagger and SwaggerYAML are swag's Swagger 2.0 output.
	Swagger, SwaggerYAML []byte
	// OpenAPI and OpenAPIYAML are its conversion to OpenAPI 3.
	OpenAPI, OpenAPIYAML []byte
}
