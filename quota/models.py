"""Usage samples, subscriptions and their bindings, allocations and daily bills."""
