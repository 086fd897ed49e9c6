"""Structural checks of the Azure Bicep templates.

The Bicep compiler cannot be installed here and nothing is deployed, so these
tests read the templates as text and hold them to the platform's published
promises: UK South by default and UK/EU regions only, seven days of database
backups, TLS 1.2 or newer, a single scheduler. Azure-managed behaviour is
listed in infra/README.md as untested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MAIN = INFRA / "main.bicep"
PARAMS = INFRA / "main.bicepparam"
MODULES = INFRA / "modules"

UK_AND_EU_REGIONS = {
    "uksouth",
    "ukwest",
    "westeurope",
    "northeurope",
    "francecentral",
    "germanywestcentral",
    "swedencentral",
}


@pytest.fixture(autouse=True)
def _clean_caches() -> Iterator[None]:
    """Replace the suite-wide cache reset: these tests touch no Redis."""
    yield


def _bicep_files() -> list[Path]:
    return [MAIN, *sorted(MODULES.glob("*.bicep"))]


def _strip(text: str, *, keep_strings: bool) -> str:
    """Drop comments, and string text too unless keep_strings.

    Interpolations inside strings (``'${f('x')}'``) are followed as code, so
    quotes nested in them do not end the string early.
    """
    out: list[str] = []
    modes = ["code"]
    depths = [0]
    i = 0
    while i < len(text):
        if modes[-1] == "string":
            if text[i] == "\\":
                out.append(text[i : i + 2] if keep_strings else "")
                i += 2
            elif text.startswith("${", i):
                out.append("${")
                modes.append("code")
                depths.append(0)
                i += 2
            elif text[i] == "'":
                out.append("'")
                modes.pop()
                i += 1
            else:
                out.append(text[i] if keep_strings else "")
                i += 1
        elif text.startswith("'''", i):
            end = text.index("'''", i + 3) + 3
            out.append(text[i:end] if keep_strings else "''")
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end == -1 else end
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
        else:
            char = text[i]
            if char == "'":
                modes.append("string")
            elif char == "{":
                depths[-1] += 1
            elif char == "}" and depths[-1] == 0 and len(modes) > 1:
                modes.pop()
                depths.pop()
            elif char == "}":
                depths[-1] -= 1
            out.append(char)
            i += 1
    return "".join(out)


def _code(path: Path) -> str:
    """Return a template with its comments removed."""
    return _strip(path.read_text(), keep_strings=True)


def _block(code: str, header: str) -> str:
    """Return the brace-delimited body that follows the first match of header."""
    match = re.search(header, code, re.M)
    assert match, f"no declaration matches {header!r}"
    start = code.index("{", match.end())
    depth = 0
    for position in range(start, len(code)):
        if code[position] == "{":
            depth += 1
        elif code[position] == "}":
            depth -= 1
            if depth == 0:
                return code[start : position + 1]
    raise AssertionError(f"unbalanced braces after {header!r}")


def _decorators_of(code: str, param: str) -> str:
    """Return the decorator text that directly precedes `param <name>`."""
    match = re.search(rf"^param {param}\b", code, re.M)
    assert match, f"no param {param}"
    previous = list(
        re.finditer(
            r"^(param|var|resource|module|output)\b", code[: match.start()], re.M
        )
    )
    start = previous[-1].end() if previous else 0
    tail = code[start : match.start()]
    line_end = tail.find("\n")
    return tail[line_end:] if previous else tail


def _strings(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _module_references(path: Path) -> list[tuple[str, Path]]:
    code = _code(path)
    found = re.findall(r"^module\s+(\w+)\s+'([^']+)'", code, re.M)
    return [(name, (path.parent / target).resolve()) for name, target in found]


def test_every_module_that_main_references_exists() -> None:
    references = _module_references(MAIN)

    assert references
    missing = [str(target) for _, target in references if not target.is_file()]
    assert missing == []


def test_every_module_file_is_used_by_main() -> None:
    used = {target for _, target in _module_references(MAIN)}

    unused = [p.name for p in MODULES.glob("*.bicep") if p.resolve() not in used]
    assert unused == []


def test_location_defaults_to_uk_south() -> None:
    code = _code(MAIN)

    assert re.search(r"^param location string = 'uksouth'$", code, re.M)


def test_location_is_limited_to_uk_and_eu_regions() -> None:
    decorators = _decorators_of(_code(MAIN), "location")
    allowed = re.search(r"@allowed\(\[(.*?)\]\)", decorators, re.S)

    assert allowed, "location must carry an @allowed list"
    regions = set(_strings(allowed.group(1)))
    assert "uksouth" in regions
    assert regions <= UK_AND_EU_REGIONS


def test_no_resource_is_pinned_to_a_region_of_its_own() -> None:
    pinned = [
        (path.name, region)
        for path in _bicep_files()
        for region in re.findall(r"\blocation: '([^']+)'", _code(path))
        if region != "global"
    ]

    assert pinned == []


def test_modules_take_location_from_their_caller() -> None:
    for path in MODULES.glob("*.bicep"):
        code = _code(path)
        if re.search(r"^param location string\b", code, re.M):
            assert not re.search(r"^param location string =", code, re.M), path.name


def test_postgres_keeps_seven_days_of_backups() -> None:
    code = _code(MODULES / "postgres.bicep")
    backup = _block(code, r"\bbackup:")
    value = re.search(r"backupRetentionDays:\s*(\w+)", backup)

    assert value
    days = value.group(1)
    if not days.isdigit():
        defined = re.search(rf"^var {days} = (\d+)$", code, re.M)
        assert defined, f"{days} is not a fixed number"
        days = defined.group(1)
    assert int(days) == 7


def test_postgres_is_version_16_private_and_geo_backup_is_opt_in() -> None:
    postgres = _code(MODULES / "postgres.bicep")
    main = _code(MAIN)

    assert "version: '16'" in postgres
    assert "delegatedSubnetResourceId: delegatedSubnetId" in postgres
    assert "publicNetworkAccess: 'Disabled'" in postgres
    assert re.search(r"^param geoRedundantBackup bool = false$", postgres, re.M)
    assert re.search(r"^param postgresGeoRedundantBackup bool = false$", main, re.M)


def test_redis_accepts_only_tls_1_2_or_newer() -> None:
    code = _code(MODULES / "redis.bicep")

    assert "minimumTlsVersion: '1.2'" in code
    assert "enableNonSslPort: false" in code
    assert "publicNetworkAccess: 'Disabled'" in code


def test_redis_url_verifies_the_server_certificate() -> None:
    code = _code(MODULES / "redis.bicep")

    assert "'rediss://" in code
    assert "ssl_cert_reqs=required" in code


def test_public_ingress_redirects_http_and_documents_its_tls_floor() -> None:
    app = _code(MODULES / "container-app.bicep")
    environment = (MODULES / "container-apps-environment.bicep").read_text()

    assert "allowInsecure: false" in app
    # Container Apps ingress has no minimum-TLS setting: it serves TLS 1.2
    # and 1.3 only. The template must say so rather than stay silent.
    assert "TLS 1.2" in environment


def test_other_endpoints_require_tls_1_2() -> None:
    storage = _code(MODULES / "storage.bicep")
    postgres = _code(MODULES / "postgres.bicep")

    assert "minimumTlsVersion: 'TLS1_2'" in storage
    assert "supportsHttpsTrafficOnly: true" in storage
    assert "value: 'TLSv1.2'" in postgres


def test_scheduler_runs_exactly_one_replica() -> None:
    scheduler = _block(_code(MAIN), r"^module scheduler\b")

    assert "role: 'scheduler'" in scheduler
    assert re.search(r"\bminReplicas: 1\b", scheduler)
    assert re.search(r"\bmaxReplicas: 1\b", scheduler)
    assert "scaleRules" not in scheduler


def test_apps_keep_a_single_active_revision() -> None:
    code = _code(MODULES / "container-app.bicep")

    assert "activeRevisionsMode: 'Single'" in code


def test_web_scales_on_http_and_worker_on_the_queue() -> None:
    main = _code(MAIN)
    web = _block(main, r"^module web\b")
    worker = _block(main, r"^module worker\b")

    assert "externalIngress: true" in web
    assert "concurrentRequests" in web
    assert "externalIngress" not in worker
    assert "type: 'redis'" in worker


def test_apps_receive_application_insights_and_secrets_by_reference() -> None:
    main = _code(MAIN)

    assert "name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'" in main
    assert "value: monitoring.outputs.appInsightsConnectionString" in main
    for variable in ("OPSYN_SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        entry = re.search(rf"name: '{variable}'\s+(\w+):", main)
        assert entry and entry.group(1) == "secretRef", variable


def test_only_migrations_and_the_maintenance_worker_get_the_owner_url() -> None:
    main = _code(MAIN)

    owner_uses = [m.start() for m in re.finditer(r"database-url-owner", main)]
    assert len(owner_uses) == 1
    for owner in ("migrate", "maintenanceWorker"):
        assert "secrets: ownerSecrets" in _block(main, rf"^module {owner}\b")
    for app in ("web", "worker", "scheduler"):
        assert "ownerSecrets" not in _block(main, rf"^module {app}\b")


def test_the_maintenance_worker_alone_takes_the_maintenance_queue() -> None:
    main = _code(MAIN)
    maintenance = _block(main, r"^module maintenanceWorker\b")

    assert "name: 'OPSYN_WORKER_QUEUES'" in maintenance
    assert "value: maintenanceQueue" in maintenance
    assert re.search(r"\bmaxReplicas: 1\b", maintenance)
    assert "OPSYN_WORKER_QUEUES" not in _block(main, r"^module worker\b")
    sent_to = re.search(r"name: 'OPSYN_MAINTENANCE_QUEUE'\s+value: (\w+)", main)
    assert sent_to and sent_to.group(1) == "maintenanceQueue"


def test_api_versions_are_dated_and_not_previews() -> None:
    versions = {
        (path.name, version)
        for path in _bicep_files()
        for version in re.findall(r"'[\w./]+@([\w-]+)'", _code(path))
    }

    assert versions
    for name, version in versions:
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", version), (name, version)


def test_secure_parameters_have_no_default_value() -> None:
    for path in _bicep_files():
        code = _code(path)
        for name, default in re.findall(r"^param (\w+) \w+(?: = (.*))?$", code, re.M):
            if "@secure()" in _decorators_of(code, name):
                assert default in ("", "''"), (path.name, name)


def test_brackets_balance_in_every_template() -> None:
    pairs = {"}": "{", "]": "[", ")": "("}
    for path in _bicep_files():
        stack: list[str] = []
        for char in _strip(path.read_text(), keep_strings=False):
            if char in "{[(":
                stack.append(char)
            elif char in pairs:
                assert stack and stack.pop() == pairs[char], path.name
        assert stack == [], path.name


def test_example_parameters_match_main() -> None:
    params = PARAMS.read_text()
    main = _code(MAIN)
    declared = dict(re.findall(r"^param (\w+) \w+( =)?", main, re.M))
    given = set(re.findall(r"^param (\w+) =", params, re.M))

    assert re.search(r"^using '\./main\.bicep'$", params, re.M)
    assert given - declared.keys() == set()
    required = {name for name, default in declared.items() if not default}
    assert required - given == set()


def test_templates_parse_with_the_bicep_grammar() -> None:
    tree_sitter = pytest.importorskip("tree_sitter")
    bicep = pytest.importorskip("tree_sitter_bicep")
    parser = tree_sitter.Parser(tree_sitter.Language(bicep.language()))

    for path in _bicep_files():
        root = parser.parse(path.read_bytes()).root_node
        assert not root.has_error, path.name


def test_backups_go_to_the_blob_container_the_templates_make() -> None:
    from opsyn import env

    main = _code(MAIN)
    entry = re.search(
        r"name: '(OPSYN_BACKUP_AZURE_CONTAINER_URL)'\s+value: (\S+)", main
    )

    assert entry and entry.group(2) == "storage.outputs.backupContainerUrl"
    assert "OPSYN_BACKUP_AZURE_CONTAINER_URL" in Path(env.__file__).read_text()
