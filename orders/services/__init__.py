"""Services of the orders app: the wallet, checkout, settlement, arrears, alerts, statements."""
