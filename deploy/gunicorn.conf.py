"""Gunicorn configuration of the portal: `gunicorn -c deploy/gunicorn.conf.py "app:create_app()"`
(PORTAL_ENV=production). Every value can be overridden by the environment below."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx in front, never exposed
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"  # long work (billing, PDFs, exports) runs on Celery workers
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a request never runs longer
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # SIGHUP/SIGTERM
keepalive = 5  # seconds, behind nginx
# Graceful restarts: SIGHUP reloads the code with new workers, in-flight requests finish.
# A worker is recycled after this many requests (plus jitter) to bound any slow leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Preload off: each worker builds its own app and database pool after the fork (no pooled
# connection shared across processes) and a SIGHUP reload picks up new code.
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")  # stdout, to the journal
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client address is X-Forwarded-For's, read by the app for PORTAL_PROXY_HOPS proxies.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "portail-famille"
