#include "core/models/ResNeSt.h"
#include "core/models/StateDictLoader.h"
#include "tests/models/ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace resnest;

namespace {

// Shifted off the construction values, so a successful load is visible in the module.
io::TensorMap randomStateDict(const ResNeStConfig& c, const std::string& prefix) {
    torch::manual_seed(11);
    io::TensorMap t = test::stateDictOf(c, prefix);
    for (auto& kv : t)
        if (kv.second.is_floating_point())
            kv.second += 1.0;
    return t;
}

std::string errorOf(torch::nn::Module& m, const io::TensorMap& t) {
    try {
        StateDictLoader::load(m, t);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(StateDictLoaderTest, LoadsThroughWrapperPrefixes) {
    const auto c = ResNeStConfig::byName("resnest14d");
    for (const std::string prefix : {"", "module.", "model.", "module.backbone."}) {
        io::TensorMap t = randomStateDict(c, prefix);
        ResNeSt m(c);
        LoadReport r = StateDictLoader::load(*m, t);
        EXPECT_EQ(r.strippedPrefix, prefix);
        EXPECT_TRUE(torch::equal(m->fc->weight, t.at(prefix + "fc.weight")));
    }
}

TEST(StateDictLoaderTest, NamesEveryMismatchInOneError) {
    const auto c = ResNeStConfig::byName("resnest14d");
    io::TensorMap t = randomStateDict(c, "");
    t.erase("layer2.0.conv2.fc1.bias");
    t["head.extra.weight"] = torch::zeros({3});
    t["fc.weight"] = torch::zeros({10, 2048});
    ResNeSt m(c);
    const std::string msg = errorOf(*m, t);
    EXPECT_NE(msg.find("missing keys: layer2.0.conv2.fc1.bias"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unexpected keys: head.extra.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fc.weight (checkpoint [10, 2048], model [1000, 2048])"), std::string::npos) << msg;
}

TEST(StateDictLoaderTest, ToleratesCheckpointsWithoutStepCounters) {
    const auto c = ResNeStConfig::byName("resnest14d");
    io::TensorMap t = randomStateDict(c, "");
    for (auto it = t.begin(); it != t.end();)
        it = it->first.find("num_batches_tracked") != std::string::npos ? t.erase(it) : std::next(it);
    ResNeSt m(c);
    LoadReport r = StateDictLoader::load(*m, t);
    EXPECT_FALSE(r.skippedKeys.empty());
}
