# Everything a fresh machine needs: `make run` starts the desk, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TS := $(wildcard resources/translations/*.ts)
QM := $(TS:.ts=.qm)
LOCK := requirements.lock

.PHONY: lock imap-server run test lint typecheck faults bench translations update-translations bundle bundle-check worker kiosk clean

# Every dependency at the version and hash in requirements.lock (all extras: test, lint,
# bundle), then the project itself, editable, built with the setuptools just installed so the
# step needs nothing that is not in the lock.
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

# requirements.lock again from pyproject.toml, for every platform at once (the Windows bundle
# installs from the same file), keeping the pinned versions that still fit. LOCK_ARGS=--upgrade
# moves everything to the newest, LOCK_ARGS='--upgrade-package NAME' one package.
lock:
	@command -v uv >/dev/null || { echo "make lock needs uv: pip install uv (or pipx install uv)"; exit 1; }
	uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command 'make lock' --quiet -o $(LOCK) $(LOCK_ARGS)

resources/translations/%.qm: resources/translations/%.ts $(VENV)/.installed
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

translations: $(QM)

# Two catalogues so the desk and the console/kiosk can be translated independently.
update-translations: $(VENV)/.installed
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find parking_desk/ui -maxdepth 1 -name '*.py') \
		$$(find parking_desk/ui/desk -name '*.py') -ts resources/translations/desk_ro.ts
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find parking_desk/ui/console parking_desk/ui/kiosk \
		-name '*.py') -ts resources/translations/console_ro.ts

run: $(VENV)/.installed translations
	$(PY) -m parking_desk

worker: $(VENV)/.installed
	$(PY) -m parking_desk worker

kiosk: $(VENV)/.installed translations
	$(PY) -m parking_desk kiosk

# The bounce tests read a real IMAP server, Debian's Dovecot, started by the test session.
# Installed here when missing and we are root; otherwise said (under CI=true they then fail).
imap-server:
	@if [ ! -x /usr/sbin/dovecot ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y -q dovecot-imapd >/dev/null; \
		else \
			echo "dovecot-imapd missing: apt-get install dovecot-imapd (bounce tests)"; \
		fi; \
	fi

test: $(VENV)/.installed translations imap-server
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

# The fault suite at full size (20 kills over 2,000 tasks, 5,000 tasks on three workers, a
# 30 s Firestore freeze); `make test` runs the same tests at a tenth of the size.
faults: $(VENV)/.installed
	PARKING_DESK_FAULTS_SCALE=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -s -p no:cacheprovider \
		-m faults

# Every benchmark at its default size; BENCH_ARGS=--quick for a short pass. Figures go to
# the terminal; docs/performance.md records them with the machine they ran on.
BENCHES := e2e_latency drain_throughput firestore_ops booking_save kiosk_refresh task_cost gui_stall \
	queue_table bulk_retry cold_start console_model console_bulk_retry bookings_model
bench: $(VENV)/.installed
	@for b in $(BENCHES); do \
		case $$b in console_*) args="";; *) args="$(BENCH_ARGS)";; esac; \
		QT_QPA_PLATFORM=offscreen $(PY) bench/$$b.py $$args || exit 1; \
	done

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check parking_desk tests bench
	$(VENV)/bin/ruff format --check parking_desk tests bench

# mypy per [tool.mypy] in pyproject.toml: strict for the domain and services, checked for the UI.
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy parking_desk

# The one-folder desk app in dist/parking-desk/ (PyInstaller; see packaging/WINDOWS.md for Windows).
bundle: $(VENV)/.installed translations
	$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/parking-desk.spec

# A clean bundle build, then the bundle run offscreen (about a minute; `make test` runs it too).
bundle-check: $(VENV)/.installed translations
	PY=$(PY) bash packaging/smoke_test.sh

clean:
	rm -rf $(VENV) build dist $(QM)
