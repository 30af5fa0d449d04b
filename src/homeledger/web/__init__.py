"""HTTP edge: dependencies, error rendering, middleware, pages."""
