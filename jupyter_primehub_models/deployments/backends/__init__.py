"""Deploy backends: ``local`` (processes on this machine), ``ray`` (Ray Serve) and
``kubernetes`` (KServe / PrimeHub), one interface (``base.Backend``).

``c.PrimeHubModels.deploy_backend`` picks one by its short name; ``backend_class`` takes
any ``Backend`` subclass (the jupyter-scheduler convention for swappable parts).
"""

from __future__ import annotations

#: The short names of ``deploy_backend`` → the class each stands for.
BACKENDS = {
    "local": "jupyter_primehub_models.deployments.backends.local.LocalBackend",
    "ray": "jupyter_primehub_models.deployments.backends.ray.RayBackend",
    "kubernetes": "jupyter_primehub_models.deployments.backends.kubernetes.KubernetesBackend",
}
