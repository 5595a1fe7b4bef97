"""Received activities, from the stored row to the domain services."""
