"""Federation's writes: remote actors and objects upserted, deliveries made and sent."""
