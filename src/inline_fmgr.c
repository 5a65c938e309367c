/*
 * inline_fmgr.c: the extension's SQL set-returning functions are inlined before any other
 * planner hook sees the query.
 *
 * The views read their sources through plain SQL set-returning functions
 * (cs_service_internal.sla_source_requests(), source_clients(), ...; doc/sla.md, "Binding a
 * CRM"): a function body records no dependency, so a CRM's DROP ... CASCADE can never reach the
 * extension, and PostgreSQL inlines such a function into its caller, so filters reach the tables.
 * PostgreSQL inlines it late, inside standard_planner.  A planner hook that decides before that
 * what kind of query it has, as Citus's distributed planner does, sees a function call where the
 * tables are, and refuses the query ("parameterized queries for SQL functions referencing
 * distributed tables are not supported").
 *
 * With cs_service in shared_preload_libraries after citus (doc/citus.md), this hook runs first
 * and does the same inlining itself, for the extension's own functions only, so the hooks after
 * it see the tables.  The rules are PostgreSQL's own for inlining a set-returning function in
 * FROM: one SQL function, no ORDINALITY, not SECURITY DEFINER, no SET clause, not volatile, the
 * caller may execute it, no volatile or sub-select arguments, a body of one SELECT returning the
 * declared columns.  Anything else is left as it is, for PostgreSQL to inline or to call.  The
 * plan records a dependency on each inlined function, so re-creating one (sla_bind does)
 * invalidates cached plans.  Loaded without preloading (on first use of a C function), the hook
 * starts with the next query planned; on a single node that changes nothing, since PostgreSQL
 * would inline the same functions the same way.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "commands/extension.h"
#include "executor/functions.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parse_node.h"
#include "rewrite/rewriteHandler.h"
#include "rewrite/rewriteManip.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "inline_fmgr.h"

static planner_hook_type prev_planner_hook = NULL;

typedef struct InlineContext
{
	Oid extension; /* cs_service's OID, InvalidOid until looked up */
	bool looked_up;
	List *inlined; /* OIDs of the functions inlined */
} InlineContext;

typedef struct SubstituteContext
{
	List *args;		  /* the call's arguments, at the caller's level */
	int sublevels_up; /* query levels between the body's level and the caller's */
} SubstituteContext;

/* A parameter of the body becomes the call's argument, its outer references moved down. */
static Node *
substitute_params(Node *node, SubstituteContext *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN)
	{
		Param *param = (Param *) node;
		Node *arg;

		if (param->paramid <= 0 || param->paramid > list_length(context->args))
			elog(ERROR, "invalid parameter $%d in an inlined function body", param->paramid);
		arg = copyObject(list_nth(context->args, param->paramid - 1));
		IncrementVarSublevelsUp(arg, context->sublevels_up, 0);
		return arg;
	}
	if (IsA(node, Query))
	{
		Query *result;

		context->sublevels_up++;
		result = query_tree_mutator((Query *) node, substitute_params, context, 0);
		context->sublevels_up--;
		return (Node *) result;
	}
	return expression_tree_mutator(node, substitute_params, context);
}

/* Whether the function is a member of cs_service (looked up once per query planned). */
static bool
is_extension_function(Oid funcid, InlineContext *context)
{
	if (!context->looked_up)
	{
		context->extension = get_extension_oid("cs_service", true);
		context->looked_up = true;
	}
	return OidIsValid(context->extension) &&
		   getExtensionOfObject(ProcedureRelationId, funcid) == context->extension;
}

/*
 * Errors while reading a body name the function, and the place in its text, as PostgreSQL's own
 * inlining does.
 */
typedef struct BodyErrorContext
{
	const char *name;
	const char *src; /* the body's text, or NULL for a stored body */
} BodyErrorContext;

static void
body_error_callback(void *arg)
{
	BodyErrorContext *body = (BodyErrorContext *) arg;
	int position = geterrposition();

	if (position > 0 && body->src != NULL)
	{
		errposition(0);
		internalerrposition(position);
		internalerrquery(body->src);
	}
	errcontext("SQL function \"%s\" during inlining", body->name);
}

/*
 * The body of a SQL function as a one-query list (a stored BEGIN ATOMIC tree, or its text parsed
 * with the parameters named), rewritten, its columns coerced to the declared ones with
 * placeholders for a row type's dropped columns so that they line up with the RTE's attribute
 * numbers; NIL where it is not one SELECT or (a composite result) not the whole row.
 */
static List *
read_body(HeapTuple proctup, FuncExpr *fexpr, TupleDesc rettupdesc, bool composite,
		  BodyErrorContext *errbody)
{
	Datum datum;
	bool isnull;
	List *querytrees;
	Query *query;
	bool whole_row;

	datum = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosqlbody, &isnull);
	if (!isnull)
	{
		Node *stored = stringToNode(TextDatumGetCString(datum));

		if (IsA(stored, List) && list_length((List *) stored) == 1 &&
			IsA(linitial((List *) stored), List) && list_length(linitial((List *) stored)) == 1)
			stored = linitial(linitial((List *) stored));
		if (!IsA(stored, Query))
			return NIL;
		AcquireRewriteLocks((Query *) stored, true, false);
		querytrees = pg_rewrite_query((Query *) stored);
	}
	else
	{
		char *src;
		List *raw;
		SQLFunctionParseInfoPtr pinfo;

		datum = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosrc, &isnull);
		if (isnull)
			return NIL;
		src = TextDatumGetCString(datum);
		errbody->src = src;
		raw = pg_parse_query(src);
		if (list_length(raw) != 1)
			return NIL;
		pinfo = prepare_sql_fn_parse_info(proctup, (Node *) fexpr, fexpr->inputcollid);
		querytrees = pg_analyze_and_rewrite_withcb(
			linitial_node(RawStmt, raw), src, (ParserSetupHook) sql_fn_parser_setup, pinfo, NULL);
	}
	if (list_length(querytrees) != 1)
		return NIL;
	query = linitial_node(Query, querytrees);
	if (query->commandType != CMD_SELECT || query->utilityStmt != NULL)
		return NIL;
	whole_row =
		check_sql_fn_retval(list_make1(querytrees), fexpr->funcresulttype, rettupdesc, true, NULL);
	if (!whole_row && composite)
		return NIL;
	return querytrees;
}

/*
 * The body of the function called in rte, as the Query to put in its place, or NULL where
 * PostgreSQL's rules do not allow inlining it.
 */
static Query *
inline_body(RangeTblEntry *rte, InlineContext *context)
{
	RangeTblFunction *rtfunc;
	FuncExpr *fexpr;
	HeapTuple proctup;
	Form_pg_proc proc;
	TypeFuncClass functypclass;
	TupleDesc rettupdesc;
	List *querytrees;
	Query *body = NULL;
	SubstituteContext subst;
	ListCell *names;
	ListCell *lc;
	BodyErrorContext errbody;
	ErrorContextCallback errcallback;

	if (rte->funcordinality || list_length(rte->functions) != 1)
		return NULL;
	rtfunc = linitial_node(RangeTblFunction, rte->functions);
	if (!IsA(rtfunc->funcexpr, FuncExpr) || rtfunc->funccolnames != NIL)
		return NULL;
	fexpr = (FuncExpr *) rtfunc->funcexpr;
	if (!fexpr->funcretset || FmgrHookIsNeeded(fexpr->funcid))
		return NULL;
	if (contain_volatile_functions((Node *) fexpr->args) ||
		checkExprHasSubLink((Node *) fexpr->args))
		return NULL;

	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fexpr->funcid));
	if (!HeapTupleIsValid(proctup))
		return NULL;
	proc = (Form_pg_proc) GETSTRUCT(proctup);
	if (proc->prolang != SQLlanguageId || proc->prosecdef ||
		proc->provolatile == PROVOLATILE_VOLATILE || proc->pronargs != list_length(fexpr->args) ||
		!heap_attisnull(proctup, Anum_pg_proc_proconfig, NULL) ||
		!is_extension_function(fexpr->funcid, context) ||
		pg_proc_aclcheck(fexpr->funcid, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
	{
		ReleaseSysCache(proctup);
		return NULL;
	}

	functypclass = get_expr_result_type((Node *) fexpr, NULL, &rettupdesc);
	if (functypclass != TYPEFUNC_COMPOSITE && functypclass != TYPEFUNC_SCALAR)
	{
		ReleaseSysCache(proctup);
		return NULL;
	}

	/* the body, read with errors naming the function, as PostgreSQL's own inlining names it */
	errbody.name = pstrdup(NameStr(proc->proname));
	errbody.src = NULL;
	errcallback.callback = body_error_callback;
	errcallback.arg = &errbody;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	querytrees =
		read_body(proctup, fexpr, rettupdesc, functypclass == TYPEFUNC_COMPOSITE, &errbody);
	error_context_stack = errcallback.previous;
	ReleaseSysCache(proctup);
	if (querytrees == NIL)
		return NULL;
	body = linitial_node(Query, querytrees);

	/*
	 * The body's columns take the function's column names: a hook after this one may print the
	 * query as SQL (Citus does, for the shards), naming the columns as the caller refers to them.
	 */
	names = list_head(rte->eref->colnames);
	foreach (lc, body->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resjunk)
			continue;
		if (names == NULL)
			return NULL;
		if (strVal(lfirst(names))[0] != '\0')
			tle->resname = pstrdup(strVal(lfirst(names)));
		names = lnext(rte->eref->colnames, names);
	}

	subst.args = fexpr->args;
	subst.sublevels_up = 1;
	body = query_tree_mutator(body, substitute_params, &subst, 0);
	context->inlined = list_append_unique_oid(context->inlined, fexpr->funcid);
	return body;
}

static bool
inline_walker(Node *node, InlineContext *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_FUNCTION)
		{
			Query *body = inline_body(rte, context);

			/* the walk goes on into the body: it may call inlinable functions too */
			if (body != NULL)
			{
				rte->rtekind = RTE_SUBQUERY;
				rte->subquery = body;
				rte->security_barrier = false;
				rte->functions = NIL;
			}
		}
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, inline_walker, context, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, inline_walker, context);
}

static PlannedStmt *
cs_service_planner(Query *parse, const char *query_string, int cursorOptions,
				   ParamListInfo boundParams)
{
	InlineContext context = {InvalidOid, false, NIL};
	PlannedStmt *result;
	ListCell *lc;

	if (parse->commandType != CMD_UTILITY)
		(void) inline_walker((Node *) parse, &context);

	if (prev_planner_hook != NULL)
		result = prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	else
		result = standard_planner(parse, query_string, cursorOptions, boundParams);

	/* as record_plan_function_dependency does for what the planner inlines itself */
	foreach (lc, context.inlined)
	{
		PlanInvalItem *item = makeNode(PlanInvalItem);

		item->cacheId = PROCOID;
		item->hashValue = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(lfirst_oid(lc)));
		result->invalItems = lappend(result->invalItems, item);
	}
	return result;
}

void
cs_inline_init(void)
{
	prev_planner_hook = planner_hook;
	planner_hook = cs_service_planner;
}
