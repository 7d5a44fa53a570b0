package app

// General API information for swag (the generated spec is in ../docs).
//
//	@title			Comanda kitchen-app
//	@version		1.0
//	@description	The kitchen: it keeps the recipe book, picks a random recipe for every order, asks the warehouse for the ingredients over Redis Streams and cooks the dish once they are reserved. This API shows the recipe book and the kitchen tickets.
//	@contact.name	Comanda
//	@license.name	MIT
//	@BasePath		/
//	@securityDefinitions.apikey	BearerToken
//	@in							header
//	@name						Authorization
