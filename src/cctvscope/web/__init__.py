"""The web application: FastAPI pages (Jinja2) and their JSON twins under ``/api``.

Build it with :func:`cctvscope.web.app.create_app`; ``cctvscope serve`` runs it
under uvicorn. Pages and API share one set of response models
(:mod:`cctvscope.web.schemas`), built by the view functions of
:mod:`cctvscope.web.views`.
"""
