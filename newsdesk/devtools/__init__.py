"""Developer tools beside the product: the extraction benchmark (`newsdesk eval`), body-model training, the
crawl benchmark and the loopback demo site, whose pages ship as package data."""
