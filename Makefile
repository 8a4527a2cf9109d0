# Parley — the two commands: `make run` and `make test`.
# Everything else is a convenience over meson/ninja.

BUILD   ?= build
ASAN    ?= build-asan
DB      ?= sqlite:parley.db
PORT    ?= 8080

.PHONY: all deps run test unit models bench clean format-check

all: $(BUILD)/parley

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release -Dtests=false

$(BUILD)/parley: $(BUILD)/build.ninja FORCE
	ninja -C $(BUILD)

FORCE:

# Installs what is missing, builds, starts on http://localhost:$(PORT)
# with an embedded SQLite database, seeding demo data on first start.
run: all
	./$(BUILD)/parley serve --db $(DB) --port $(PORT) --demo --demo-tickets 3000

# Installs, builds under ASan+UBSan and runs every test suite.
test:
	@scripts/test.sh

models: all
	scripts/models.sh

bench: all
	scripts/deps.sh bench
	bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN)
