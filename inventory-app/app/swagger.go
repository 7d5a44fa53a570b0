package app

// General API information for swag (the generated spec is in ../docs).
//
//	@title			Comanda inventory-app
//	@version		1.0
//	@description	The warehouse: the stock of the ten ingredients, the reservations that set a recipe's ingredients aside for each order (fairly, oldest first, never below zero), and the purchases at the farmers market that cover what is missing. Requests arrive from the kitchen over Redis Streams; this API shows the state.
//	@contact.name	Comanda
//	@license.name	MIT
//	@BasePath		/
//	@securityDefinitions.apikey	BearerToken
//	@in							header
//	@name						Authorization
