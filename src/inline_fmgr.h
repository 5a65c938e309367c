/*
 * inline_fmgr.h: the planner hook that inlines the extension's SQL set-returning functions
 * (inline_fmgr.c).  Include after postgres.h.
 */
#ifndef CS_INLINE_FMGR_H
#define CS_INLINE_FMGR_H

extern void cs_inline_init(void);

#endif /* CS_INLINE_FMGR_H */
