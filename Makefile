# cs_service: PGXS build.
#
# Layout (see README.md, "Layout"):
#   src/core/*.c   pure algorithms, no PostgreSQL headers (unit-tested and fuzzed alone)
#   src/*_fmgr.c   PostgreSQL glue (fmgr, types, aggregates, errors), one file per area
#   src/cs_service.c  module magic and the core's allocator (cs_alloc.h on palloc)
# Headers: every glue .c file includes "postgres.h" first; glue headers (src/*.h) never include
# postgres.h (they assume it) but include the other PostgreSQL headers they use; core headers
# (src/core/*.h) include no PostgreSQL header at all, only the C library.
#   src/sql/       the SQL of the current release, by topic (doc/contributing.md):
#                    data/*.sql  types, C functions, aggregates, tables: created by the install,
#                                changed by an upgrade script's own ALTERs
#                    code/*.sql  views, SQL and PL/pgSQL functions, triggers: created by the
#                                install and re-created whole by every upgrade
#                    roles.sql   the privileges, applied by the install and every upgrade
#                    upgrade/    what each upgrade changes in the data objects
#   sql/           the frozen scripts of past releases (cs_service--0.1.0.sql,
#                  cs_service--0.1.0--0.2.0.sql), the built ones, and pg_regress tests;
#   expected/      pg_regress outputs; test/pgtap/ pgTAP suites; test/unit/ C unit tests;
#   test/fuzz/     libFuzzer targets and seed corpora

EXTENSION  = cs_service
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = $(EXTENSION)
CORE_SRCS  = $(sort $(wildcard src/core/*.c))
GLUE_SRCS  = $(sort $(wildcard src/*.c))
OBJS       = $(CORE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)

# Install order: the data objects, then the code (each file only uses what comes before it).
SQL_DATA   = $(addprefix src/sql/data/,schema.sql calendar.sql metrics.sql sla_clock.sql \
               sla_policies.sql sla_model.sql sla_sources.sql sla_alerts.sql sla_state.sql scorecard_factors.sql agency.sql \
               rollup_counters.sql rollups.sql rollup_sla_monthly.sql rollup_team_monthly.sql)
SQL_CODE   = $(addprefix src/sql/code/,calendar.sql sla_clock.sql sla_policies.sql sla_model.sql \
               agency.sql sla_sources.sql sla_views.sql sla_state.sql sla_alerts.sql rollups.sql scorecard.sql \
               report.sql citus.sql)
SQL_ROLES  = src/sql/roles.sql
# 0.2.0 -> 0.3.0: the data changes, the new factor list, counter and SLA state tables, the rows, all
# the code, then the stored SLA state folded from the existing logs.
UPGRADE_0_3_PARTS = src/sql/upgrade/0.2.0--0.3.0.sql src/sql/data/scorecard_factors.sql src/sql/data/rollup_counters.sql \
               src/sql/data/sla_state.sql src/sql/data/rollup_sla_monthly.sql src/sql/data/rollup_team_monthly.sql src/sql/upgrade/0.2.0--0.3.0-rows.sql $(SQL_CODE) \
               src/sql/upgrade/0.2.0--0.3.0-state.sql $(SQL_ROLES)

DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql sql/$(EXTENSION)--0.2.0--0.3.0.sql
DATA       = sql/$(EXTENSION)--0.1.0.sql sql/$(EXTENSION)--0.1.0--0.2.0.sql

# every sql/<name>.sql that is not an install or upgrade script is a pg_regress test
REGRESS      = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/$(EXTENSION)--%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)

PG_CPPFLAGS = -Isrc -Isrc/core -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
              -Wno-missing-field-initializers
ifdef WERROR
PG_CPPFLAGS += -Werror
endif

EXTRA_CLEAN = test/unit/run_unit $(patsubst %.c,%,$(wildcard test/fuzz/fuzz_*.c)) test/fuzz/work

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_DATA) $(SQL_CODE) $(SQL_ROLES)
	@mkdir -p sql
	{ printf '%s\n' '-- cs_service $(EXTVERSION), built from src/sql/ (data, code, roles); do not edit.' \
	    '\echo Use "CREATE EXTENSION cs_service" to load this file. \quit'; cat $^; } > $@

sql/$(EXTENSION)--0.2.0--0.3.0.sql: $(UPGRADE_0_3_PARTS)
	@mkdir -p sql
	{ printf '%s\n' '-- cs_service 0.2.0 -> 0.3.0, built from src/sql/upgrade/, code/ and roles.sql; do not edit.' \
	    '\echo Use "ALTER EXTENSION cs_service UPDATE" to load this file. \quit'; cat $^; } > $@

# ---- C unit tests of the pure core (no PostgreSQL needed) -------------------------------
UNIT_SRCS = $(sort $(wildcard test/unit/*.c))
UNIT_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra -Werror -Isrc/core -Itest/unit \
              -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

test/unit/run_unit: $(UNIT_SRCS) $(CORE_SRCS) $(wildcard src/core/*.h test/unit/*.h)
	$(CC) $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS) $(CORE_SRCS) -lm

.PHONY: unittest fuzz

# PGXS tracks no header dependencies: rebuild every object when any header changes
$(OBJS): $(wildcard src/*.h src/core/*.h)
unittest: test/unit/run_unit
	./test/unit/run_unit

# ---- libFuzzer targets: test/fuzz/fuzz_<name>.c, seeds in test/fuzz/corpus_<name>/ ------------
# `make fuzz` runs every target for FUZZ_SECONDS each; `make fuzz-calendar` just one.
FUZZ_SECONDS ?= 60
FUZZ_NAMES = $(patsubst test/fuzz/fuzz_%.c,%,$(wildcard test/fuzz/fuzz_*.c))

test/fuzz/fuzz_%: test/fuzz/fuzz_%.c test/unit/alloc_std.c $(CORE_SRCS) $(wildcard src/core/*.h)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc/core \
	  -o $@ $< test/unit/alloc_std.c $(CORE_SRCS) -lm

fuzz-%: test/fuzz/fuzz_%
	rm -rf test/fuzz/work/$* && mkdir -p test/fuzz/work/$*
	./test/fuzz/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=5 \
	  -artifact_prefix=test/fuzz/ $(if $(wildcard test/fuzz/$*.dict),-dict=test/fuzz/$*.dict) \
	  test/fuzz/work/$* test/fuzz/corpus_$*

fuzz: $(addprefix fuzz-,$(FUZZ_NAMES))

# ---- pgTAP suites against the installed extension in the PG* cluster -------------------------
.PHONY: prove
prove:
	pg_prove test/pgtap/*.sql

# ---- C formatting: .clang-format (clang-format 14, Debian 12's) over src/ and the C tests -----
FORMAT_FILES = $(sort $(wildcard src/*.[ch] src/core/*.[ch] test/unit/*.[ch] test/fuzz/*.[ch]))
.PHONY: format format-check
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)
