package app

// General API information for swag (the generated spec is in ../docs).
//
//	@title			Comanda orders-app
//	@version		1.0
//	@description	Places the manager's orders (one dish or thousands at once), keeps their history and timeline, and shows what failed. Orders travel on to the kitchen over Redis Streams.
//	@contact.name	Comanda
//	@license.name	MIT
//	@BasePath		/
//	@securityDefinitions.apikey	BearerToken
//	@in							header
//	@name						Authorization
