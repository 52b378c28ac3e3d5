// orouboros-forward: hands a message to an upstream SMTP server (the home
// server, a smarthost) or to the recipient domain's mail exchangers, by the
// sendmail convention or over LMTP.  See orouboros-forward(8).
#include "base/error.hpp"
#include "cli/options.hpp"
#include "forward/program.hpp"

int main(int argc, char* argv[]) {
    namespace forward = orou::forward;
    const auto desc = forward::options();
    const auto vm = orou::cli::parse(argc, argv, forward::kSpec, desc, forward::positional());
    return orou::run_guarded(forward::kSpec.prog, [&] { return forward::run(forward::config_from(vm)); });
}
