"""The scaled deployment's configuration: nginx config from the template, endpoints that Rasa reads, names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bot.scaled import (
    ENDPOINTS_TEMPLATE,
    NGINX_TEMPLATE,
    Layout,
    Postgres,
    Redis,
    default_layout,
    nginx_binary,
    nginx_conf,
    rasa_env,
    render,
)
from tests.needs import missing

LAYOUT = Layout(rasa_ports=[5011, 5012], action_ports=[5061, 5062], public_port=5005, actions_port=5055)


def test_render_fills_every_placeholder_and_refuses_a_missing_one():
    assert render("a {{X}} b {{Y}}", {"X": "1", "Y": "2"}) == "a 1 b 2"
    with pytest.raises(KeyError, match="PORT"):
        render("listen {{PORT}};", {})


def test_nginx_conf_lists_every_instance_and_listens_on_loopback_only(tmp_path):
    conf = nginx_conf(LAYOUT, tmp_path / "prefix", tmp_path / "temp")
    assert "{{" not in conf and "}}" not in conf
    for port in (5011, 5012, 5061, 5062):
        assert f"server 127.0.0.1:{port} " in conf
    assert set(re.findall(r"^\s*listen\s+([^;]+);", conf, re.MULTILINE)) == {
        "127.0.0.1:5005",
        "127.0.0.1:5055",
    }
    assert "daemon off;" in conf  # a foreground child we can stop, not a system service
    assert f"pid {tmp_path / 'prefix'}/nginx.pid;" in conf


def test_nginx_accepts_the_generated_config(tmp_path):
    if nginx_binary() is None:
        missing("scale-out", "nginx is not installed (apt-get install -y nginx-light)")
    prefix, temp = tmp_path / "prefix", tmp_path / "temp"
    prefix.mkdir()
    temp.mkdir()
    (prefix / "nginx.conf").write_text(nginx_conf(LAYOUT, prefix, temp))
    result = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-p",
            str(prefix),
            "-c",
            str(prefix / "nginx.conf"),
            "-e",
            str(prefix / "error.log"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def _endpoint_variables() -> set[str]:
    """The ${VARIABLES} the endpoints file uses (not those in its comments)."""
    config = "\n".join(
        line.split(" #")[0]
        for line in ENDPOINTS_TEMPLATE.read_text().splitlines()
        if not line.lstrip().startswith("#")
    )
    return set(re.findall(r"\$\{([A-Z_]+)\}", config))


def test_every_variable_the_endpoints_file_uses_is_set_by_rasa_env():
    used = _endpoint_variables()
    assert used, "the endpoints file should take its hosts and ports from the environment"
    assert used <= set(rasa_env(Postgres(), Redis(), LAYOUT))


def test_rasa_reads_the_scaled_endpoints(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    for key, value in rasa_env(Postgres(user="pda", schema="pda_x"), Redis(lock_db=11), LAYOUT).items():
        monkeypatch.setenv(key, value)
    tracker = read_endpoint_config(str(ENDPOINTS_TEMPLATE), "tracker_store")
    assert tracker.type == "bot.privacy.tracker_store.RedactingTrackerStore"
    store = tracker.kwargs["store"]
    assert store["type"] == "sql" and store["dialect"] == "postgresql"
    assert store["url"] == "127.0.0.1" and store["username"] == "pda" and str(store["port"]) == "5432"
    assert store["query"] == {"options": "-csearch_path=pda_x"}  # the schema, filled in
    lock = read_endpoint_config(str(ENDPOINTS_TEMPLATE), "lock_store")
    assert lock.type == "bot.lock_store.AtomicRedisLockStore" and lock.url == "127.0.0.1"
    assert str(lock.kwargs["db"]) == "11" and lock.kwargs["key_prefix"].isalnum()
    action = read_endpoint_config(str(ENDPOINTS_TEMPLATE), "action_endpoint")
    assert action.url == "http://127.0.0.1:5055/webhook"  # through nginx
    assert action.kwargs.get("enable_selective_domain") is True  # the domain goes to the form checks only


def test_rasa_refuses_to_start_when_a_variable_is_missing(monkeypatch):
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    for key in rasa_env(Postgres(), Redis(), LAYOUT):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(RasaException, match="PDA_"):
        read_endpoint_config(str(ENDPOINTS_TEMPLATE), "tracker_store")


def test_records_url_puts_the_schema_first_and_quotes_credentials():
    pg = Postgres(user="council app", password="p@ss:w/rd", schema="pda_live")
    assert pg.base_url() == "postgresql+psycopg2://council%20app:p%40ss%3Aw%2Frd@127.0.0.1:5432/test"
    assert pg.records_url().endswith("/test?options=-csearch_path%3Dpda_live")
    assert (
        "@" not in Postgres().base_url().split("//", 1)[1].split("@")[0]
    )  # no password: no colon, no secret


@pytest.mark.parametrize("schema", ["Robert'); DROP", "pda-live", "", "x" * 64, "1abc"])
def test_a_schema_name_that_is_not_a_plain_identifier_is_refused(schema):
    with pytest.raises(ValueError):
        Postgres(schema=schema)


@pytest.mark.parametrize("prefix", ["pda:x", "", "pda x", "pdå"])
def test_a_lock_prefix_rasa_would_ignore_is_refused(prefix):
    with pytest.raises(ValueError):
        Redis(lock_prefix=prefix)


def test_default_layout_keeps_clear_of_the_one_machine_ports():
    layout = default_layout(3, 2, 5005, 5055)
    assert layout.rasa_ports == [5011, 5012, 5013] and layout.action_ports == [5061, 5062]
    assert len(set(layout.all_ports())) == len(layout.all_ports())
    assert not {5005, 5055} & {*layout.rasa_ports, *layout.action_ports}


def test_the_template_files_ship_in_the_repo():
    assert NGINX_TEMPLATE.exists() and ENDPOINTS_TEMPLATE.exists()
    assert Path(NGINX_TEMPLATE).read_text().count("{{RASA_SERVERS}}") == 2  # REST and sticky Socket.IO


def test_the_example_environment_files_set_what_each_process_reads():
    def names(path: Path) -> set[str]:
        return {
            line.split("=", 1)[0]
            for line in path.read_text().splitlines()
            if "=" in line and not line.lstrip().startswith("#")
        }

    deploy = ENDPOINTS_TEMPLATE.parent
    assert _endpoint_variables() <= names(deploy / "rasa.env.example")
    assert {"DATABASE_URL", "PDA_SECRET_KEY"} <= names(deploy / "actions.env.example")
    for unit in ("pda-rasa@.service", "pda-actions@.service"):
        text = (deploy / "systemd" / unit).read_text()
        assert "--port %i" in text and "bot.privacy.launch" in text and "KillSignal=SIGINT" in text
