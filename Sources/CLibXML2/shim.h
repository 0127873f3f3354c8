#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, so encoding.h includes <unicode/ucnv.h>, whose types clash with
   Foundation's bundled ICU in the same Swift module. Only the tail of xmlCharEncodingHandler (two ICU
   converter pointers) depends on it; Swift never allocates or reads that struct, so hide ICU here. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>
#include <libxml/parserInternals.h>

/* Refuses every external entity, DTD and XInclude fetch: untrusted input must never reach a file or the network. */
static xmlParserInputPtr cxml_deny_external_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL;
}

/* Swallows libxml2's generic and structured error output; errors are read from the parser context instead. */
static void cxml_ignore_generic_error(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static void cxml_ignore_structured_error(void *ctx, xmlErrorPtr error) { (void)ctx; (void)error; }

/* Once per process, before worker threads start. */
static inline void cxml_init(void) {
    xmlInitParser();
    xmlSetExternalEntityLoader(cxml_deny_external_entity);
}

/* Error handlers are per thread in threaded builds: call on each thread before parsing. */
static inline void cxml_silence_errors_on_this_thread(void) {
    xmlSetGenericErrorFunc(NULL, cxml_ignore_generic_error);
    xmlSetStructuredErrorFunc(NULL, cxml_ignore_structured_error);
}
