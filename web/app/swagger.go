package app

// General API information for swag (the generated spec is in ../docs).
//
//	@title			Comanda web gateway
//	@version		1.0
//	@description	The single entry point: the manager's dashboard, login and sessions, the services' APIs under /api/orders, /api/kitchen and /api/inventory, and the live feed at /ws.
//	@contact.name	Comanda
//	@license.name	MIT
//	@BasePath		/
