"""The API's routers, one per concept; every route declares its policy (``api.http.policy``)."""
