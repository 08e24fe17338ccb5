"""AWS Lambda entry point: API Gateway HTTP API (payload 2.0) events to the same FastAPI app.

Mangum runs the app's lifespan around each invocation, so the target guard rails
and readiness wiring behave as under uvicorn.
"""

from mangum import Mangum

from services.gateway.main import app

handler = Mangum(app, lifespan="auto")
