#include "core/detection/RoIAlign.h"

#include "core/detection/RoIAlignKernel.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace resnest::detection {

namespace {

// Gathered elements (rois x rows x columns x channels) one pass aims at: small enough to stay in cache
// on a CPU (4 MiB in float32), large enough on a GPU that launches do not dominate.
constexpr int64_t kCpuPassElements = int64_t(1) << 20;
constexpr int64_t kCudaPassElements = int64_t(1) << 25;
// Hard memory cap for one roi; above it the channels are split.
constexpr int64_t kMaxRoiElements = int64_t(1) << 26;

// Per-axis sampling of one group of rois that share their sample counts: for every roi, output bin and
// sample, the two neighbouring rows (or columns) and their bilinear weights. Weights are zero where
// torchvision skips the sample (outside [-1, size]); such samples still count in the average.
struct AxisSamples {
    torch::Tensor index;  // (K, bins, samples, 2) int64 in [0, size)
    torch::Tensor weight; // (K, bins, samples, 2) input dtype
};

AxisSamples sampleAxis(const torch::Tensor& start, const torch::Tensor& binSize, int64_t bins,
                       int64_t samples, int64_t size) {
    const auto opts = start.options();
    const auto bin = torch::arange(bins, opts).view({1, bins, 1});
    const auto sub = (torch::arange(samples, opts) + 0.5).view({1, 1, samples});
    const auto b = binSize.view({-1, 1, 1});
    // Operation order of torchvision's kernel: (start + bin * binSize) + ((sample + 0.5) * binSize) /
    // samples.
    auto coord = (start.view({-1, 1, 1}) + bin * b) + (sub * b) / double(samples);

    const auto outside = coord.lt(-1.0).logical_or(coord.gt(double(size)));
    coord = coord.clamp_min(0);
    auto low = coord.floor();
    const auto atEdge = low.ge(double(size - 1));
    low = torch::where(atEdge, torch::full_like(low, double(size - 1)), low);
    coord = torch::where(atEdge, low, coord);
    const auto lowIndex = low.to(torch::kInt64);
    const auto highIndex = torch::where(atEdge, lowIndex, lowIndex + 1);

    const auto frac = coord - low;
    const auto keep = outside.logical_not().to(coord.scalar_type());
    AxisSamples out;
    out.index = torch::stack({lowIndex, highIndex}, -1).masked_fill(outside.unsqueeze(-1), 0);
    out.weight = torch::stack({(1 - frac) * keep, frac * keep}, -1);
    return out;
}

// The rows (or columns) one pass reads along an axis and the interpolation matrix onto them: output bin
// p = sum_r matrix[k, p, r] * feature row index[k, r] (before the 1 / samples average).
struct AxisPlan {
    torch::Tensor index;  // (K, R) int64
    torch::Tensor matrix; // (K, bins, R), or (K, bins, 1, R / bins) when block-diagonal
    bool blocks = false;
};

// Every sample's two neighbours, bin by bin: R = bins * 2 * samples, the matrix block-diagonal. Cheapest
// when the samples are sparse in the roi (fixed sampling ratio on a large roi).
AxisPlan neighbourPlan(const AxisSamples& s, int64_t bins, int64_t samples) {
    const int64_t rois = s.index.size(0);
    return {s.index.view({rois, bins * samples * 2}), s.weight.view({rois, bins, 1, samples * 2}), true};
}

// The contiguous span of rows the samples touch, with the weights of each bin summed per row: R = span,
// about the roi's extent. Cheaper when samples are dense (adaptive sampling puts about one per pixel,
// so the neighbour list would read every row about four times).
AxisPlan cropPlan(const AxisSamples& s, const torch::Tensor& first, int64_t span, int64_t bins,
                  int64_t size) {
    const int64_t rois = s.index.size(0);
    // Unused entries (zero weight) may fall outside the span: clamped, they add nothing.
    const auto local = (s.index.view({rois, bins, -1}) - first.view({-1, 1, 1})).clamp(0, span - 1);
    auto matrix = torch::zeros({rois, bins, span}, s.weight.options());
    matrix.scatter_add_(2, local, s.weight.view({rois, bins, -1}));
    const auto rows =
        (first.view({-1, 1}) + torch::arange(span, first.options()).view({1, -1})).clamp_max(size - 1);
    return {rows, matrix, false};
}

// First row with a non-zero weight per roi, and the number of rows from it to the last used one.
std::pair<torch::Tensor, torch::Tensor> usedRange(const AxisSamples& s, int64_t size) {
    const int64_t rois = s.index.size(0);
    const auto used = s.weight.view({rois, -1}).ne(0);
    const auto index = s.index.view({rois, -1});
    const auto first = torch::where(used, index, torch::full_like(index, size)).amin(1).clamp_max(size - 1);
    const auto last = torch::where(used, index, torch::full_like(index, -1)).amax(1);
    return {first, (last - first + 1).clamp_min(1)};
}

// Row stage: (K, R, rest) -> (K, bins, rest).
torch::Tensor contractRows(const AxisPlan& plan, const torch::Tensor& values, int64_t bins) {
    const int64_t rois = values.size(0);
    if (plan.blocks) {
        // (K, bins, 1, R / bins) @ (K, bins, R / bins, rest)
        return torch::matmul(plan.matrix, values.view({rois, bins, plan.matrix.size(3), -1}))
            .view({rois, bins, -1});
    }
    return torch::bmm(plan.matrix, values);
}

// Column stage: (K, outH, R, C) -> (K, outH, bins, C), broadcasting the plan over the output rows.
torch::Tensor contractColumns(const AxisPlan& plan, const torch::Tensor& values, int64_t bins) {
    const int64_t rois = values.size(0), outH = values.size(1), channels = values.size(3);
    if (plan.blocks) {
        // (K, 1, bins, 1, R / bins) @ (K, outH, bins, R / bins, C)
        const int64_t per = plan.matrix.size(3);
        return torch::matmul(plan.matrix.view({rois, 1, bins, 1, per}),
                             values.view({rois, outH, bins, per, channels}))
            .view({rois, outH, bins, channels});
    }
    // (K, 1, bins, R) @ (K, outH, R, C)
    return torch::matmul(plan.matrix.unsqueeze(1), values);
}

// Rois of one pass: all share the sample grid; `crop` and its size were chosen by planChunks.
struct Chunk {
    std::vector<int64_t> members; // positions in the group
    bool crop = false;
    int64_t cropH = 0, cropW = 0;
};

// One vectorised pass. featuresNHWC: (N * H * W, C). Returns (K, C, outH, outW).
torch::Tensor poolChunk(const torch::Tensor& featuresNHWC, int64_t height, int64_t width,
                        const torch::Tensor& batchIndex, const torch::Tensor& startY,
                        const torch::Tensor& startX, const torch::Tensor& binH, const torch::Tensor& binW,
                        int64_t outH, int64_t outW, int64_t gridH, int64_t gridW, const Chunk& chunk) {
    const int64_t rois = startY.size(0);
    const int64_t channels = featuresNHWC.size(1);
    const auto ys = sampleAxis(startY, binH, outH, gridH, height);
    const auto xs = sampleAxis(startX, binW, outW, gridW, width);
    AxisPlan py, px;
    if (chunk.crop) {
        py = cropPlan(ys, usedRange(ys, height).first, chunk.cropH, outH, height);
        px = cropPlan(xs, usedRange(xs, width).first, chunk.cropW, outW, width);
    } else {
        py = neighbourPlan(ys, outH, gridH);
        px = neighbourPlan(xs, outW, gridW);
    }
    const int64_t rows = py.index.size(1), cols = px.index.size(1);

    // Flat row of every (roi, row, column) in the (N * H * W, C) view.
    const auto base = (batchIndex * (height * width)).view({rois, 1, 1});
    const auto flat =
        (base + (py.index * width).view({rois, rows, 1}) + px.index.view({rois, 1, cols})).view({-1});
    const auto gathered = featuresNHWC.index_select(0, flat).view({rois, rows, cols * channels});

    // Bilinear weights are separable: reduce the rows first, then the columns.
    const auto byRow = contractRows(py, gathered, outH).view({rois, outH, cols, channels});
    const auto pooled = contractColumns(px, byRow, outW); // (K, outH, outW, C)
    // -> (K, C, outH, outW); the average counts skipped samples too.
    return pooled.permute({0, 3, 1, 2}) / double(gridH * gridW);
}

// Splits a group into passes. Each roi reads either its samples' neighbours or the crop its samples lie
// in, whichever is smaller; crop rois are sorted by size so a pass's common (largest) crop wastes little.
std::vector<Chunk> planChunks(const torch::Tensor& spans, int64_t neighbours, int64_t channels,
                              int64_t passElements) {
    const auto acc = spans.accessor<int64_t, 2>();
    const int64_t count = spans.size(0);
    std::vector<int64_t> cropRois, neighbourRois;
    for (int64_t k = 0; k < count; ++k) {
        (acc[k][0] * acc[k][1] < neighbours ? cropRois : neighbourRois).push_back(k);
    }
    std::stable_sort(cropRois.begin(), cropRois.end(),
                     [&](int64_t a, int64_t b) { return acc[a][0] * acc[a][1] < acc[b][0] * acc[b][1]; });

    std::vector<Chunk> chunks;
    Chunk current;
    current.crop = true;
    for (int64_t k : cropRois) {
        const int64_t h = std::max(current.cropH, acc[k][0]), w = std::max(current.cropW, acc[k][1]);
        if (!current.members.empty() &&
            int64_t(current.members.size() + 1) * h * w * channels > passElements) {
            chunks.push_back(current);
            current = Chunk();
            current.crop = true;
        }
        current.members.push_back(k);
        current.cropH = std::max(current.cropH, acc[k][0]);
        current.cropW = std::max(current.cropW, acc[k][1]);
    }
    if (!current.members.empty()) {
        chunks.push_back(current);
    }
    const int64_t perPass = std::max<int64_t>(1, passElements / std::max<int64_t>(1, neighbours * channels));
    for (size_t i = 0; i < neighbourRois.size(); i += size_t(perPass)) {
        Chunk c;
        c.members.assign(neighbourRois.begin() + int64_t(i),
                         neighbourRois.begin() +
                             int64_t(std::min(neighbourRois.size(), i + size_t(perPass))));
        chunks.push_back(std::move(c));
    }
    return chunks;
}

} // namespace

torch::Tensor RoIAlign::apply(const torch::Tensor& input, const torch::Tensor& rois, int64_t outputHeight,
                              int64_t outputWidth, double spatialScale, int64_t samplingRatio, bool aligned,
                              OpPath path) {
    TORCH_CHECK(input.dim() == 4, "RoIAlign: expected input of shape (N, C, H, W), got ", input.sizes());
    TORCH_CHECK(rois.dim() == 2 && rois.size(1) == 5, "RoIAlign: expected rois of shape (K, 5), got ",
                rois.sizes());
    TORCH_CHECK(input.is_floating_point(), "RoIAlign: input must be floating point, got ",
                input.scalar_type());
    TORCH_CHECK(outputHeight > 0 && outputWidth > 0, "RoIAlign: output size must be positive, got ",
                outputHeight, "x", outputWidth);
    TORCH_CHECK(input.device() == rois.device(), "RoIAlign: input on ", input.device(), " but rois on ",
                rois.device());
    const int64_t batch = input.size(0), channels = input.size(1);
    const int64_t height = input.size(2), width = input.size(3);
    const int64_t count = rois.size(0);
    if (path == OpPath::Fastest && RoIAlignKernel::takes(input, rois)) {
        return RoIAlignKernel::apply(input, rois, outputHeight, outputWidth, spatialScale, samplingRatio,
                                     aligned);
    }
    auto output = torch::zeros({count, channels, outputHeight, outputWidth}, input.options());
    if (count == 0 || channels == 0 || height == 0 || width == 0) {
        return output;
    }

    const auto r = rois.to(input.scalar_type());
    // The kernel truncates the batch index to int.
    const auto batchIndex = r.select(1, 0).to(torch::kInt64);
    {
        const auto range = torch::stack({batchIndex.min(), batchIndex.max()}).to(torch::kCPU);
        TORCH_CHECK(range[0].item<int64_t>() >= 0 && range[1].item<int64_t>() < batch,
                    "RoIAlign: roi batch indices must lie in [0, ", batch, "), got [",
                    range[0].item<int64_t>(), ", ", range[1].item<int64_t>(), "]");
    }

    // Scale in the input dtype first (the kernel casts spatial_scale to T), no rounding of the corners.
    const double offset = aligned ? 0.5 : 0.0;
    const auto startX = r.select(1, 1) * spatialScale - offset;
    const auto startY = r.select(1, 2) * spatialScale - offset;
    const auto endX = r.select(1, 3) * spatialScale - offset;
    const auto endY = r.select(1, 4) * spatialScale - offset;
    auto roiW = endX - startX;
    auto roiH = endY - startY;
    if (!aligned) {
        // Malformed rois become at least 1x1.
        roiW = roiW.clamp_min(1.0);
        roiH = roiH.clamp_min(1.0);
    }
    const auto binH = roiH / double(outputHeight);
    const auto binW = roiW / double(outputWidth);

    // (N, C, H, W) -> rows of C channels, so every neighbour is one contiguous row for index_select.
    const auto featuresNHWC =
        input.permute({0, 2, 3, 1}).contiguous().view({batch * height * width, channels});

    // Group rois by their sample grid; with a fixed ratio there is a single group.
    std::map<std::pair<int64_t, int64_t>, torch::Tensor> groups;
    if (samplingRatio > 0) {
        groups.emplace(std::make_pair(samplingRatio, samplingRatio), torch::Tensor());
    } else {
        const auto gridH = binH.ceil().to(torch::kInt64);
        const auto gridW = binW.ceil().to(torch::kInt64);
        // Grouping happens on the CPU: one small (K, 2) copy.
        const auto gridCpu = torch::stack({gridH, gridW}, 1).to(torch::kCPU).contiguous();
        const auto acc = gridCpu.accessor<int64_t, 2>();
        std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> members;
        for (int64_t k = 0; k < count; ++k) {
            members[{acc[k][0], acc[k][1]}].push_back(k);
        }
        for (auto& [grid, idx] : members) {
            groups.emplace(grid, torch::tensor(idx, torch::kInt64).to(input.device()));
        }
    }

    const int64_t passElements = input.is_cuda() ? kCudaPassElements : kCpuPassElements;
    for (const auto& [grid, members] : groups) {
        const auto [gridH, gridW] = grid;
        // An empty grid samples nothing: the output stays zero (torchvision divides an empty sum by 1).
        if (gridH <= 0 || gridW <= 0) {
            continue;
        }
        const auto all = members.defined() ? members : torch::arange(count, batchIndex.options());
        // Per-roi extent of the used rows and columns (one small copy to the CPU per group).
        const auto ys =
            sampleAxis(startY.index_select(0, all), binH.index_select(0, all), outputHeight, gridH, height);
        const auto xs =
            sampleAxis(startX.index_select(0, all), binW.index_select(0, all), outputWidth, gridW, width);
        const auto spans =
            torch::stack({usedRange(ys, height).second, usedRange(xs, width).second}, 1).to(torch::kCPU);
        const int64_t neighbours = (outputHeight * gridH * 2) * (outputWidth * gridW * 2);

        for (const auto& chunk : planChunks(spans, neighbours, channels, passElements)) {
            const auto pos = torch::tensor(chunk.members, torch::kInt64).to(all.device());
            const auto idx = all.index_select(0, pos);
            const auto chunkBatch = batchIndex.index_select(0, idx);
            const auto chunkY = startY.index_select(0, idx), chunkX = startX.index_select(0, idx);
            const auto chunkBinH = binH.index_select(0, idx), chunkBinW = binW.index_select(0, idx);
            // Channels are split only when a single roi would exceed the memory cap.
            const int64_t spatial = chunk.crop ? chunk.cropH * chunk.cropW : neighbours;
            const int64_t channelStep = std::clamp<int64_t>(kMaxRoiElements / spatial, 1, channels);
            for (int64_t c0 = 0; c0 < channels; c0 += channelStep) {
                const int64_t cs = std::min(channelStep, channels - c0);
                const auto pooled =
                    poolChunk(featuresNHWC.narrow(1, c0, cs), height, width, chunkBatch, chunkY, chunkX,
                              chunkBinH, chunkBinW, outputHeight, outputWidth, gridH, gridW, chunk);
                output.narrow(1, c0, cs).index_copy_(0, idx, pooled);
            }
        }
    }
    return output;
}

} // namespace resnest::detection
