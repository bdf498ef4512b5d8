"""Several AbuseDesk processes on one PostgreSQL behind nginx, as README's "Running more than one server"
describes: shared by the fleet suite and the bench."""
import os
import shutil
import subprocess
import tempfile
import time

from support import Service, free_port

NGINX_CONFIG = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  # AbuseDesk refuses larger bodies itself, with an answer that says so.
  client_max_body_size 12m;
  upstream abusedesk {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://abusedesk;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


class Balancer:
    """nginx on loopback, round robin over the given ports."""

    def __init__(self, ports):
        self.folder = tempfile.mkdtemp(prefix="abusedesk-nginx-")
        os.chmod(self.folder, 0o755)
        self.port = free_port()
        servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in ports)
        self.config = os.path.join(self.folder, "nginx.conf")
        with open(self.config, "w") as file:
            file.write(NGINX_CONFIG.format(folder=self.folder, servers=servers, port=self.port))
        self.process = None

    @staticmethod
    def binary():
        return shutil.which("nginx") or "/usr/sbin/nginx"

    def start(self):
        self.process = subprocess.Popen([self.binary(), "-c", self.config, "-p", self.folder, "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.folder, "nginx.out"), "ab"))
        deadline = time.time() + 20
        import socket
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {open(os.path.join(self.folder, 'nginx.out')).read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def fleet(binary, count, env):
    """`count` services, each with a data folder of its own, on the store `env` names (DATABASE_URL)."""
    return [Service(binary, env=env, log_name=f"serve-{n}") for n in range(count)]
