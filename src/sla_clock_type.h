/*
 * sla_clock_type.h: the SQL type cs_service.sla_clock (the state of the SLA clock aggregate).
 *
 * A fixed-size varlena: a format version, then the core's sla_clock (src/core/slaclock.h).
 * The stored form is the in-memory struct (like any fixed-layout PostgreSQL type); the binary
 * send/receive form is field by field, endian-neutral, and the text form is the core's.
 * A glue header: include after postgres.h.
 */
#ifndef CS_SLA_CLOCK_TYPE_H
#define CS_SLA_CLOCK_TYPE_H

#include "fmgr.h"

#include "slaclock.h"

typedef struct SlaClockData
{
	int32 vl_len_; /* varlena header, do not touch directly */
	int32 version; /* SLA_FORMAT_VERSION */
	sla_clock clock;
} SlaClockData;

#define SLA_CLOCK_SIZE			 ((Size) sizeof(SlaClockData))
#define DatumGetSlaClockP(X)	 ((SlaClockData *) PG_DETOAST_DATUM(X))
#define PG_GETARG_SLA_CLOCK_P(n) DatumGetSlaClockP(PG_GETARG_DATUM(n))
#define PG_RETURN_SLA_CLOCK_P(x) PG_RETURN_POINTER(x)

#endif
