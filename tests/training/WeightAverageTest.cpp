// WeightAverage: the mean of state dicts, and the mismatches it must refuse rather than average.
#include "core/training/WeightAverage.h"

#include <gtest/gtest.h>
#include <stdexcept>
#include <torch/torch.h>

using namespace resnest;
using namespace resnest::training;

namespace {

io::TensorMap stateDict(double scale, int64_t batches) {
    return {{"conv.weight", torch::arange(6, torch::kFloat).view({2, 3}).mul(scale).to(torch::kHalf)},
            {"bn.running_var", torch::full({2}, scale, torch::kFloat)},
            {"bn.num_batches_tracked", torch::tensor(batches, torch::kLong)}};
}

} // namespace

TEST(WeightAverage, MeanOfThreeInFloat32) {
    const io::TensorMap mean = WeightAverage::mean({stateDict(1, 10), stateDict(2, 20), stateDict(6, 30)});
    ASSERT_EQ(mean.size(), 3u);
    // (1 + 2 + 6) / 3 = 3: element i of the weight is 3 i.
    const torch::Tensor w = mean.at("conv.weight");
    EXPECT_EQ(w.scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::equal(w, torch::arange(6, torch::kFloat).view({2, 3}).mul(3)));
    EXPECT_TRUE(torch::equal(mean.at("bn.running_var"), torch::full({2}, 3.0f)));
    // Integers are counters, not weights: the first model's.
    EXPECT_EQ(mean.at("bn.num_batches_tracked").item<int64_t>(), 10);
}

TEST(WeightAverage, MeanOfAModelWithItselfIsTheModel) {
    io::TensorMap a = stateDict(0.37, 5);
    a["conv.weight"] = torch::randn({64, 32, 3, 3});
    const io::TensorMap mean = WeightAverage::mean({a, a});
    EXPECT_TRUE(torch::equal(mean.at("conv.weight"), a.at("conv.weight")));
}

TEST(WeightAverage, RefusesWhatCannotBeAveraged) {
    EXPECT_THROW(WeightAverage::mean({stateDict(1, 1)}), std::invalid_argument);

    io::TensorMap missing = stateDict(1, 1);
    missing.erase("bn.running_var");
    missing["bn.running_mean"] = torch::zeros({2});
    EXPECT_THROW(WeightAverage::mean({stateDict(1, 1), missing}), std::invalid_argument);

    io::TensorMap fewer = stateDict(1, 1);
    fewer.erase("bn.running_var");
    EXPECT_THROW(WeightAverage::mean({stateDict(1, 1), fewer}), std::invalid_argument);

    io::TensorMap reshaped = stateDict(1, 1);
    reshaped["conv.weight"] = reshaped["conv.weight"].view({3, 2});
    try {
        WeightAverage::mean({stateDict(1, 1), reshaped});
        FAIL() << "a reshaped tensor was averaged";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("conv.weight"), std::string::npos) << e.what();
    }

    io::TensorMap integral = stateDict(1, 1);
    integral["bn.running_var"] = torch::ones({2}, torch::kLong);
    EXPECT_THROW(WeightAverage::mean({stateDict(1, 1), integral}), std::invalid_argument);
}
