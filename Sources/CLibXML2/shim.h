#ifndef FHIRBRIDGE_CLIBXML2_SHIM_H
#define FHIRBRIDGE_CLIBXML2_SHIM_H
// The system libxml2 headers pull in the system ICU, which clashes with Foundation's bundled ICU
// ("UErrorCode ... not present in definition"): read the version header first and turn ICU off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlerror.h>
#endif
