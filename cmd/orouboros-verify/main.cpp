// orouboros-verify: an LMTP stage that checks SPF, DKIM and DMARC on mail
// from the internet and puts the verdicts in an Authentication-Results
// field.  See orouboros-verify(8).
#include "base/error.hpp"
#include "cli/options.hpp"
#include "verify/program.hpp"

int main(int argc, char* argv[]) {
    namespace verify = orou::verify;
    const auto vm = orou::cli::parse(argc, argv, verify::kSpec, verify::options());
    return orou::run_guarded(verify::kSpec.prog, [&] { return verify::run(verify::config_from(vm)); });
}
