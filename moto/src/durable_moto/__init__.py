"""Moto's server, made durable: journal every state change, snapshot in the background."""
