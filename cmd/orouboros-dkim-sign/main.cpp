// orouboros-dkim-sign: an LMTP stage that DKIM-signs authenticated mail for
// the domain of its From: address and hands it on to the next stage.  See
// orouboros-dkim-sign(8).
#include "base/error.hpp"
#include "cli/options.hpp"
#include "dkim/program.hpp"

int main(int argc, char* argv[]) {
    namespace dkim = orou::dkim;
    const auto vm = orou::cli::parse(argc, argv, dkim::kSpec, dkim::options());
    return orou::run_guarded(dkim::kSpec.prog, [&] { return dkim::run(dkim::config_from(vm)); });
}
