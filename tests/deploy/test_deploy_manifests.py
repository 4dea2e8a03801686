"""Offline checks of deploy/: the Kubernetes manifests as kustomize renders them, and the
compose file, against what the issue asks of them and against the services' real flags.

No cluster is reachable here, so `kubectl apply --dry-run` (which needs an API server) cannot
run; instead `kubectl kustomize` renders base and overlay (it fails on a broken
kustomization), and each rendered object is checked for the properties that matter in
production. Every environment variable the manifests hand a service must be one of its flags
(read from `collector --help` / `notifier --help`) or an input of a $(VAR) composition, so a
misspelt setting fails here instead of being silently ignored in a pod.

Environment: SA_COLLECTOR_BIN, SA_NOTIFIER_BIN (the built services), KUBECTL (default
kubectl). Uses Debian's python3-yaml, hence /usr/bin/python3.
"""
import os
import pathlib
import re
import subprocess
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
KUBECTL = os.environ.get("KUBECTL", "kubectl")


def render(kustomization_dir):
    out = subprocess.run([KUBECTL, "kustomize", kustomization_dir], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def flags_of(binary):
    """The env names of a service's flags, as its --help prints them ("(env NAME)")."""
    text = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    names = set(re.findall(r"env\s+([A-Z0-9_]+)\)", text.stdout + text.stderr))
    assert names, f"{binary} --help lists no env names"
    return names


def duration_seconds(text):
    m = re.fullmatch(r"(\d+)(s|m)", text)
    assert m, f"unsupported duration {text!r}"
    return int(m.group(1)) * (60 if m.group(2) == "m" else 1)


SERVICE_BINARIES = {"collector": "SA_COLLECTOR_BIN", "notifier": "SA_NOTIFIER_BIN"}


class KubernetesManifests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = render(os.path.join(DEPLOY, "k8s", "base"))
        cls.overlay = render(os.path.join(DEPLOY, "k8s", "overlays", "example"))
        cls.flags = {svc: flags_of(os.environ[var]) for svc, var in SERVICE_BINARIES.items()}

    def objects(self, docs, kind):
        return {o["metadata"]["name"]: o for o in docs if o["kind"] == kind}

    def test_everything_is_namespaced_and_labelled(self):
        for docs in (self.base, self.overlay):
            kinds = {o["kind"] for o in docs}
            self.assertTrue({"Namespace", "ConfigMap", "Secret", "Deployment", "StatefulSet",
                             "Service", "PodDisruptionBudget"} <= kinds, kinds)
            for o in docs:
                if o["kind"] != "Namespace":
                    self.assertEqual(o["metadata"].get("namespace"), "summit-alerts", o["metadata"])
                self.assertEqual(o["metadata"]["labels"]["app.kubernetes.io/part-of"], "summit-alerts")

    def test_service_pods_are_hardened_probed_and_bounded(self):
        for docs in (self.base, self.overlay):
            config = self.objects(docs, "ConfigMap")["summit-alerts-config"]["data"]
            grace = duration_seconds(config["SHUTDOWN_GRACE"])
            for name, dep in self.objects(docs, "Deployment").items():
                with self.subTest(deployment=name):
                    pod = dep["spec"]["template"]["spec"]
                    self.assertTrue(pod["securityContext"]["runAsNonRoot"])
                    self.assertNotEqual(pod["securityContext"].get("runAsUser"), 0)
                    (c,) = pod["containers"]
                    sc = c["securityContext"]
                    self.assertTrue(sc["readOnlyRootFilesystem"])
                    self.assertFalse(sc["allowPrivilegeEscalation"])
                    self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
                    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
                    # Native gRPC probes (which cannot speak TLS) on the plaintext health-only
                    # listener, HEALTH_ADDR: readiness follows Redis (overall health), liveness
                    # does not (the "liveness" service).
                    health_addr = config["HEALTH_ADDR"]
                    self.assertEqual(int(health_addr.rsplit(":", 1)[1]), ports["health"])
                    self.assertNotEqual(ports["health"], ports["grpc"])
                    self.assertEqual(c["readinessProbe"]["grpc"]["port"], ports["health"])
                    self.assertNotIn("service", c["readinessProbe"]["grpc"])
                    self.assertEqual(c["livenessProbe"]["grpc"],
                                     {"port": ports["health"], "service": "liveness"})
                    self.assertIn("cpu", c["resources"]["requests"])
                    self.assertIn("memory", c["resources"]["limits"])
                    # The pod is killed only after preStop plus the service's own drain time.
                    pre_stop = c["lifecycle"]["preStop"]["exec"]["command"]
                    self.assertEqual(pre_stop[0], "sleep")
                    self.assertGreater(pod["terminationGracePeriodSeconds"],
                                       int(pre_stop[1]) + grace)
                    self.assertEqual(dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0)

    def test_every_deployment_has_a_disruption_budget_and_a_service(self):
        for docs in (self.base, self.overlay):
            pdbs = self.objects(docs, "PodDisruptionBudget").values()
            services = self.objects(docs, "Service")
            for name, dep in self.objects(docs, "Deployment").items():
                labels = dep["spec"]["template"]["metadata"]["labels"]
                selects = lambda sel: all(labels.get(k) == v for k, v in sel.items())
                self.assertTrue(any(selects(p["spec"]["selector"]["matchLabels"]) for p in pdbs), name)
                svc = services[name]
                self.assertTrue(selects(svc["spec"]["selector"]), name)
                names = {p["name"] for p in dep["spec"]["template"]["spec"]["containers"][0]["ports"]}
                for port in svc["spec"]["ports"]:
                    self.assertIn(port["targetPort"], names, f"{name}: {port}")

    def test_environment_is_made_of_real_flags(self):
        for docs in (self.base, self.overlay):
            config = self.objects(docs, "ConfigMap")["summit-alerts-config"]["data"]
            secret = self.objects(docs, "Secret")
            (secret,) = [s for n, s in secret.items() if n.startswith("summit-alerts-secrets")]
            secret_keys = set(secret.get("data", {})) | set(secret.get("stringData", {}))
            for name, dep in self.objects(docs, "Deployment").items():
                with self.subTest(deployment=name):
                    (c,) = dep["spec"]["template"]["spec"]["containers"]
                    service = c["args"][0]
                    self.assertIn(service, SERVICE_BINARIES)
                    env = {}
                    for source in c.get("envFrom", []):
                        if "configMapRef" in source:
                            env.update({k: "configmap" for k in config})
                        if "secretRef" in source:
                            env.update({k: "secret" for k in secret_keys})
                    composed_from = set()
                    for var in c.get("env", []):
                        env[var["name"]] = "env"
                        composed_from |= set(re.findall(r"\$\(([A-Z0-9_]+)\)", var.get("value", "")))
                        ref = var.get("valueFrom", {}).get("secretKeyRef")
                        if ref:
                            self.assertIn(ref["key"], secret_keys)
                    self.assertTrue(composed_from <= set(env), composed_from - set(env))
                    shared = set()  # set for both services by one ConfigMap/Secret
                    if any("configMapRef" in s for s in c.get("envFrom", [])):
                        shared |= set(config)
                    if any("secretRef" in s for s in c.get("envFrom", [])):
                        shared |= secret_keys
                    flags = self.flags[service]
                    other = set().union(*(f for s, f in self.flags.items() if s != service))
                    for var in env:
                        if var in flags or var in composed_from:
                            continue
                        # A shared setting may belong to the other service only.
                        self.assertTrue(var in shared and var in other,
                                        f"{service}: {var} is no flag of either service")

    def test_grpc_is_tls_from_a_mounted_secret(self):
        for docs in (self.base, self.overlay):
            config = self.objects(docs, "ConfigMap")["summit-alerts-config"]["data"]
            for name, dep in self.objects(docs, "Deployment").items():
                with self.subTest(deployment=name):
                    pod = dep["spec"]["template"]["spec"]
                    (c,) = pod["containers"]
                    env = dict(config)
                    env.update({e["name"]: e.get("value") for e in c.get("env", [])})
                    # Both files set (the service then refuses plaintext), in one mounted Secret
                    # directory (no subPath: the kubelet swaps renewed files in place).
                    self.assertTrue(env.get("TLS_CERT") and env.get("TLS_KEY"), name)
                    volumes = {v["name"]: v for v in pod["volumes"]}
                    mounts = [m for m in c["volumeMounts"]
                              if os.path.dirname(env["TLS_CERT"]) == m["mountPath"]]
                    self.assertEqual(len(mounts), 1, c["volumeMounts"])
                    self.assertEqual(os.path.dirname(env["TLS_KEY"]), mounts[0]["mountPath"])
                    self.assertNotIn("subPath", mounts[0])
                    self.assertTrue(mounts[0]["readOnly"])
                    secret = volumes[mounts[0]["name"]]["secret"]
                    self.assertEqual(secret["secretName"], "summit-alerts-tls")
                    # The key is readable by the pod's group only.
                    self.assertEqual(pod["securityContext"]["fsGroup"],
                                     pod["securityContext"]["runAsGroup"])
                    self.assertEqual(secret["defaultMode"] & 0o007, 0)
                    grace = duration_seconds(env.get("TLS_RELOAD_INTERVAL", "60s"))
                    self.assertGreaterEqual(grace, 1)
        # The overlay gets the Secret from cert-manager; its names cover the Services.
        certs = self.objects(self.overlay, "Certificate")
        (leaf,) = [c for c in certs.values() if c["spec"]["secretName"] == "summit-alerts-tls"]
        for service in self.objects(self.overlay, "Service"):
            if service != "redis":
                self.assertIn(f"{service}.summit-alerts.svc", leaf["spec"]["dnsNames"])
        # No plaintext off loopback anywhere: the overlay's chat-ops port is HTTPS too.
        for docs in (self.base, self.overlay):
            config = self.objects(docs, "ConfigMap")["summit-alerts-config"]["data"]
            self.assertNotIn("INSECURE_PLAINTEXT", config)
            notifier = self.objects(docs, "Deployment")["notifier"]
            self.assertNotIn("INSECURE_PLAINTEXT",
                             {e["name"] for e in notifier["spec"]["template"]["spec"]["containers"][0]["env"]})

    def test_tokens_are_required_by_default(self):
        # Issue 13: a deployment is token-protected by default. ADMIN_TOKEN_FILE (which implies
        # --auth) from the mounted Secret summit-alerts-admin-token, which the manifests do not
        # carry (made out of band, like a real TLS key); auth is never switched off.
        for docs in (self.base, self.overlay):
            config = self.objects(docs, "ConfigMap")["summit-alerts-config"]["data"]
            self.assertNotIn("summit-alerts-admin-token", self.objects(docs, "Secret"))
            for name, dep in self.objects(docs, "Deployment").items():
                with self.subTest(deployment=name):
                    pod = dep["spec"]["template"]["spec"]
                    (c,) = pod["containers"]
                    env = dict(config)
                    env.update({e["name"]: e.get("value") for e in c.get("env", [])})
                    self.assertIn("ADMIN_TOKEN_FILE", self.flags[c["args"][0]])
                    token_file = env.get("ADMIN_TOKEN_FILE")
                    self.assertTrue(token_file, name)
                    self.assertNotIn("INSECURE_NO_AUTH", env)
                    self.assertNotEqual(str(env.get("AUTH", "")).lower(), "false")
                    mounts = [m for m in c["volumeMounts"]
                              if os.path.dirname(token_file) == m["mountPath"]]
                    self.assertEqual(len(mounts), 1, c["volumeMounts"])
                    self.assertTrue(mounts[0]["readOnly"])
                    self.assertNotIn("subPath", mounts[0])
                    volumes = {v["name"]: v for v in pod["volumes"]}
                    secret = volumes[mounts[0]["name"]]["secret"]
                    self.assertEqual(secret["secretName"], "summit-alerts-admin-token")
                    self.assertEqual(os.path.basename(token_file), "token")
                    self.assertNotIn("items", secret)
                    self.assertEqual(secret["defaultMode"] & 0o007, 0)
        # The example Secret names the key the pods read.
        with open(os.path.join(DEPLOY, "k8s", "admin-token-secret.example.yaml")) as f:
            example = yaml.safe_load(f)
        self.assertEqual(example["metadata"]["name"], "summit-alerts-admin-token")
        self.assertIn("token", example["stringData"])

    def policies(self, docs):
        return list(self.objects(docs, "NetworkPolicy").values())

    def admitted(self, docs, pod_labels, port, source_ns_labels, source_pod_labels, same_ns):
        """Whether the NetworkPolicies admit a TCP connection to `port` of a pod with
        `pod_labels` from a pod with `source_pod_labels` in a namespace with `source_ns_labels`
        (`same_ns`: the source is in summit-alerts). Implements the subset of NetworkPolicy
        semantics these manifests use (matchLabels selectors, numeric ports)."""
        match = lambda sel, labels: all(labels.get(k) == v for k, v in sel.get("matchLabels", {}).items())
        selecting = [p for p in self.policies(docs)
                     if "Ingress" in p["spec"]["policyTypes"]
                     and match(p["spec"]["podSelector"], pod_labels)]
        if not selecting:
            return True
        for p in selecting:
            for rule in p["spec"].get("ingress", []):
                ports = [q["port"] for q in rule.get("ports", [])]
                if ports and port not in ports:
                    continue
                peers = rule.get("from")
                if not peers:
                    return True
                for peer in peers:
                    ns_sel, pod_sel = peer.get("namespaceSelector"), peer.get("podSelector")
                    ns_ok = match(ns_sel, source_ns_labels) if ns_sel is not None else same_ns
                    pod_ok = match(pod_sel, source_pod_labels) if pod_sel is not None else True
                    if ns_ok and pod_ok:
                        return True
        return False

    def test_network_policies_admit_only_whom_the_trust_model_names(self):
        part_of = {"app.kubernetes.io/part-of": "summit-alerts"}
        pod = lambda name: dict(part_of, **{"app.kubernetes.io/name": name})
        stranger_ns = {"kubernetes.io/metadata.name": "elsewhere"}
        ingest_ns = {"kubernetes.io/metadata.name": "news", "summit-alerts.io/ingest": "true"}
        subscriber_ns = {"kubernetes.io/metadata.name": "apps", "summit-alerts.io/subscriber": "true"}
        ingress_ns = {"kubernetes.io/metadata.name": "ingress-nginx"}
        for docs in (self.base, self.overlay):
            deny = [p for p in self.policies(docs) if p["spec"]["podSelector"] == {}]
            self.assertEqual(len(deny), 1, "a default-deny ingress policy")
            ok = lambda target, port, ns, src, same=False: self.admitted(
                docs, pod(target), port, ns, src, same)
            # Redis: the two services only.
            self.assertTrue(ok("redis", 6379, {}, pod("collector"), True))
            self.assertTrue(ok("redis", 6379, {}, pod("notifier"), True))
            self.assertFalse(ok("redis", 6379, {}, dict(part_of), True))
            self.assertFalse(ok("redis", 6379, stranger_ns, pod("collector")))
            self.assertFalse(ok("redis", 6379, ingest_ns, {}))
            # Collector gRPC: from ingest sources only.
            self.assertTrue(ok("collector", 50051, ingest_ns, {}))
            self.assertTrue(ok("collector", 50051, {}, dict(part_of, **{"summit-alerts.io/ingest": "true"}), True))
            self.assertFalse(ok("collector", 50051, subscriber_ns, {}))
            self.assertFalse(ok("collector", 50051, stranger_ns, {}))
            self.assertFalse(ok("collector", 50051, {}, pod("notifier"), True))
            # Notifier gRPC: from subscribers only.
            self.assertTrue(ok("notifier", 50052, subscriber_ns, {}))
            self.assertFalse(ok("notifier", 50052, ingest_ns, {}))
            self.assertFalse(ok("notifier", 50052, stranger_ns, {}))
            # Health ports: anyone (the kubelet); nothing else on them but health.
            for target in ("collector", "notifier"):
                self.assertTrue(ok(target, 8081, stranger_ns, {}))
        # The overlay's chat-ops port: from the ingress controller only.
        ok = lambda ns, port=8080: self.admitted(self.overlay, pod("notifier"), port, ns, {}, False)
        self.assertTrue(ok(ingress_ns))
        self.assertFalse(ok(subscriber_ns))
        self.assertFalse(ok(stranger_ns))
        self.assertFalse(self.admitted(self.base, pod("notifier"), 8080, ingress_ns, {}, False))

    def test_overlay_sets_images_and_replicas(self):
        deps = self.objects(self.overlay, "Deployment")
        self.assertEqual(deps["notifier"]["spec"]["replicas"], 3)
        for dep in list(deps.values()) + list(self.objects(self.overlay, "StatefulSet").values()):
            image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
            self.assertTrue(image.startswith("localhost/summit-alerts"), image)
        # A notifier replica reads as its own pod name, so a restarted pod finds its pending events.
        env = {e["name"]: e for e in deps["notifier"]["spec"]["template"]["spec"]["containers"][0]["env"]}
        self.assertEqual(env["CONSUMER_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")

    def test_overlay_encrypts_webhook_secrets_with_a_mounted_secret(self):
        notifier = self.objects(self.overlay, "Deployment")["notifier"]["spec"]["template"]["spec"]
        container = notifier["containers"][0]
        env = {e["name"]: e.get("value") for e in container["env"]}
        key_file = env["SECRETS_KEY_FILE"]
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volume = mounts[os.path.dirname(key_file)]
        secret = {v["name"]: v for v in notifier["volumes"]}[volume]["secret"]
        self.assertEqual(secret["secretName"], "summit-alerts-webhook-keys")
        self.assertEqual(os.path.basename(key_file), "keys")

    def test_try_out_redis_persists_its_data(self):
        (redis,) = self.objects(self.base, "StatefulSet").values()
        c = redis["spec"]["template"]["spec"]["containers"][0]
        self.assertIn("--appendonly", c["args"])
        self.assertEqual(c["args"][c["args"].index("--appendonly") + 1], "yes")
        self.assertEqual(c["volumeMounts"][0]["mountPath"], "/data")
        self.assertEqual(redis["spec"]["volumeClaimTemplates"][0]["metadata"]["name"],
                         c["volumeMounts"][0]["name"])


class ComposeFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(DEPLOY, "compose.yaml")) as f:
            cls.compose = yaml.safe_load(f)
        cls.flags = {svc: flags_of(os.environ[var]) for svc, var in SERVICE_BINARIES.items()}

    def test_the_one_shot_makes_certificates_and_the_admin_token(self):
        certs = self.compose["services"]["certs"]
        command = " ".join(certs["entrypoint"])
        self.assertIn("make-dev-certs.sh /certs", command)
        self.assertIn("make-admin-token.sh /secrets", command)
        self.assertIn("make-secrets-key.sh /secrets", command)
        for name in [n for n in self.compose["services"] if n.startswith("notifier")]:
            env = self.compose["services"][name]["environment"]
            self.assertEqual(env["SECRETS_KEY_FILE"], "/etc/summit-alerts/admin/webhook-keys")
        self.assertIn("./secrets:/secrets", certs["volumes"])

    def test_redis_is_persistent_and_health_checked(self):
        redis = self.compose["services"]["redis"]
        self.assertIn("--appendonly", redis["command"])
        self.assertTrue(any(v.endswith(":/data") for v in redis["volumes"]))
        self.assertIn("redis-data", self.compose["volumes"])
        self.assertIn("ping", redis["healthcheck"]["test"])

    def test_services_use_the_grpc_health_check_and_real_flags(self):
        services = self.compose["services"]
        notifiers = [n for n in services if n.startswith("notifier")]
        self.assertEqual(len(notifiers), 2)
        consumer_names = {services[n]["environment"]["CONSUMER_NAME"] for n in notifiers}
        self.assertEqual(len(consumer_names), 2, "replicas need distinct stable consumer names")
        for name in ["collector"] + notifiers:
            with self.subTest(service=name):
                svc = services[name]
                binary = svc["command"][0]
                self.assertIn(binary, SERVICE_BINARIES)
                self.assertTrue(svc["read_only"])
                self.assertIn("restart", svc)
                # TLS on gRPC; the healthcheck asks the plaintext health-only listener on the
                # container's own loopback.
                env = svc["environment"]
                self.assertTrue(env["TLS_CERT"] and env["TLS_KEY"])
                self.assertNotIn("INSECURE_PLAINTEXT", env)
                self.assertTrue(env["HEALTH_ADDR"].startswith("127.0.0.1:"))
                self.assertEqual(svc["healthcheck"]["test"],
                                 ["CMD", "alertctl", "health", env["HEALTH_ADDR"]])
                mounted = [v.split(":")[1] for v in svc["volumes"]]
                self.assertIn(os.path.dirname(env["TLS_CERT"]), mounted)
                self.assertIn(os.path.dirname(env["TLS_KEY"]), mounted)
                self.assertEqual(svc["depends_on"]["certs"]["condition"],
                                 "service_completed_successfully")
                # Tokens on: the admin token made by the `certs` one-shot, mounted read-only.
                self.assertNotIn("INSECURE_NO_AUTH", env)
                self.assertNotEqual(str(env.get("AUTH", "")).lower(), "false")
                self.assertIn(f"./secrets:{os.path.dirname(env['ADMIN_TOKEN_FILE'])}:ro",
                              svc["volumes"])
                for var in svc["environment"]:
                    self.assertIn(var, self.flags[binary])
                for published in svc.get("ports", []):
                    self.assertTrue(published.startswith("127.0.0.1:"), published)


class DevCertificates(unittest.TestCase):
    def test_make_dev_certs_makes_a_ca_and_a_server_certificate_it_signed(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "certs")
            env = dict(os.environ, SA_CERT_OWNER=f"{os.getuid()}:{os.getgid()}")
            subprocess.run([os.path.join(DEPLOY, "make-dev-certs.sh"), out], check=True,
                           env=env, capture_output=True, timeout=60)
            verify = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(out, "ca.crt"),
                                     os.path.join(out, "tls.crt")], capture_output=True, text=True)
            self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
            text = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
                                   os.path.join(out, "tls.crt")], capture_output=True,
                                  text=True).stdout
            for name in ("DNS:localhost", "IP Address:127.0.0.1", "DNS:collector", "DNS:notifier-1"):
                self.assertIn(name, text)
            self.assertEqual(os.stat(os.path.join(out, "tls.key")).st_mode & 0o077, 0)
            # A second run keeps what is there.
            read = lambda name: pathlib.Path(out, name).read_text()
            before = read("tls.crt")
            subprocess.run([os.path.join(DEPLOY, "make-dev-certs.sh"), out], check=True,
                           env=env, capture_output=True, timeout=60)
            self.assertEqual(read("tls.crt"), before)


class AdminToken(unittest.TestCase):
    def test_make_admin_token_makes_a_private_token_once(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "secrets")
            # Without alertctl on the PATH: the openssl fallback.
            env = dict(os.environ, PATH="/usr/bin:/bin", SA_TOKEN_OWNER=f"{os.getuid()}:{os.getgid()}")
            script = os.path.join(DEPLOY, "make-admin-token.sh")
            subprocess.run([script, out], check=True, env=env, capture_output=True, timeout=60)
            path = os.path.join(out, "admin-token")
            token = pathlib.Path(path).read_text()
            # What --admin_token_file accepts: at least 20 token68 characters (one line).
            self.assertRegex(token, r"^sat_[A-Za-z0-9_-]{43}\n$")
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o400)
            subprocess.run([script, out], check=True, env=env, capture_output=True, timeout=60)
            self.assertEqual(pathlib.Path(path).read_text(), token, "a second run keeps it")
            self.assertEqual(sorted(os.listdir(out)), ["admin-token"])


if __name__ == "__main__":
    unittest.main()


class SecretsKey(unittest.TestCase):
    def test_make_secrets_key_makes_a_private_key_file_once(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "secrets")
            env = dict(os.environ, SA_TOKEN_OWNER=f"{os.getuid()}:{os.getgid()}")
            script = os.path.join(DEPLOY, "make-secrets-key.sh")
            subprocess.run([script, out], check=True, env=env, capture_output=True, timeout=60)
            path = os.path.join(out, "webhook-keys")
            keys = pathlib.Path(path).read_text()
            # What --secrets_key_file accepts: "<key id> <base64 of 32 bytes>".
            self.assertRegex(keys, r"^k[0-9]{12} [A-Za-z0-9+/]{43}=\n$")
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o400)
            subprocess.run([script, out], check=True, env=env, capture_output=True, timeout=60)
            self.assertEqual(pathlib.Path(path).read_text(), keys, "a second run keeps it")
