#include "core/models/StateDictLoader.h"

#include "core/models/KeyRenaming.h"

#include <set>
#include <sstream>
#include <stdexcept>

namespace resnest {

std::string StateDictLoader::findPrefix(const io::TensorMap& tensors,
                                        const std::vector<std::string>& expected) {
    const std::set<std::string> want(expected.begin(), expected.end());
    auto matches = [&](const std::string& prefix) {
        size_t n = 0;
        for (const auto& kv : tensors)
            if (KeyRenaming::startsWith(kv.first, prefix) && want.count(kv.first.substr(prefix.size())))
                ++n;
        return n;
    };
    // Wrappers nest: DataParallel around a detector's backbone gives "module.backbone.".
    static const char* const parts[] = {"module.", "model.", "backbone.", "_orig_mod.", "body.", "encoder."};
    std::string best;
    size_t bestCount = matches("");
    std::vector<std::string> frontier{""};
    for (int depth = 0; depth < 3; ++depth) {
        std::vector<std::string> next;
        for (const auto& base : frontier)
            for (const char* p : parts) {
                const std::string candidate = base + p;
                const size_t n = matches(candidate);
                if (n > bestCount) {
                    best = candidate;
                    bestCount = n;
                }
                next.push_back(candidate);
            }
        frontier = std::move(next);
    }
    return best;
}

io::TensorMap StateDictLoader::stripPrefix(const io::TensorMap& tensors, const std::string& prefix) {
    if (prefix.empty())
        return tensors;
    io::TensorMap out;
    for (const auto& kv : tensors)
        out.emplace(KeyRenaming::renamePrefix(kv.first, prefix, "").value_or(kv.first), kv.second);
    return out;
}

io::TensorMap StateDictLoader::stateDict(torch::nn::Module& module) {
    io::TensorMap out;
    for (const auto& p : module.named_parameters(true))
        out.emplace(p.key(), p.value().detach().to(torch::kCPU).clone());
    for (const auto& b : module.named_buffers(true))
        out.emplace(b.key(), b.value().detach().to(torch::kCPU).clone());
    return out;
}

LoadReport StateDictLoader::load(torch::nn::Module& module, const io::TensorMap& input) {
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> targets;
    for (const auto& p : module.named_parameters(true))
        targets.emplace(p.key(), p.value());
    for (const auto& b : module.named_buffers(true))
        targets.emplace(b.key(), b.value());
    std::vector<std::string> expected;
    for (const auto& kv : targets)
        expected.push_back(kv.first);

    LoadReport report;
    report.strippedPrefix = findPrefix(input, expected);
    const io::TensorMap tensors = stripPrefix(input, report.strippedPrefix);

    std::vector<std::string> missing, unexpected, mismatched;
    for (const auto& kv : targets) {
        auto it = tensors.find(kv.first);
        if (it == tensors.end()) {
            // Checkpoints from before PyTorch 0.4.1 have no BatchNorm step counters; inference never reads
            // them.
            if (KeyRenaming::endsWith(kv.first, "num_batches_tracked"))
                report.skippedKeys.push_back(kv.first);
            else
                missing.push_back(kv.first);
        } else if (it->second.sizes() != kv.second.sizes()) {
            std::ostringstream m;
            m << kv.first << " (checkpoint " << it->second.sizes() << ", model " << kv.second.sizes() << ")";
            mismatched.push_back(m.str());
        }
    }
    for (const auto& kv : tensors)
        if (!targets.count(kv.first))
            unexpected.push_back(kv.first);

    if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
        std::ostringstream msg;
        msg << "checkpoint does not match the model";
        if (!report.strippedPrefix.empty())
            msg << " (after stripping prefix '" << report.strippedPrefix << "')";
        if (!missing.empty())
            msg << "; missing keys: " << KeyRenaming::joinFirst(missing, 12);
        if (!unexpected.empty())
            msg << "; unexpected keys: " << KeyRenaming::joinFirst(unexpected, 12);
        if (!mismatched.empty())
            msg << "; shape mismatches: " << KeyRenaming::joinFirst(mismatched, 12);
        throw std::runtime_error(msg.str());
    }
    for (auto& kv : targets) {
        auto it = tensors.find(kv.first);
        if (it != tensors.end())
            kv.second.copy_(it->second.to(kv.second.device(), kv.second.scalar_type()));
    }
    return report;
}

} // namespace resnest
