#include "core/models/WinogradConv.h"

#include "core/models/VectorClones.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <cstring>

namespace resnest {
namespace {

constexpr int kLanes = 16; // channels per step: channel counts are multiples of it
constexpr int kTile = 4;   // output tile side
constexpr int kWindow = 6; // input window side: kTile + 3 - 1
// Floats of one pass's transformed input (36 x tiles x in): large enough for efficient GEMMs, small enough
// that the transformed input and the GEMMs' output stay in the last-level cache on most CPUs (32 MiB each).
constexpr int64_t kPassFloats = int64_t(1) << 23;

// F(4x4, 3x3) with the interpolation points 0, 1, -1, 2, -2 and infinity.
constexpr double kG[kWindow][3] = {{1.0 / 4, 0, 0},
                                   {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                   {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                   {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                   {0, 0, 1}};

// B^T d for one column of six values (the rows of B^T: 4 0 -5 0 1 0 / 0 -4 -4 1 1 0 / 0 4 -4 -1 1 0 /
// 0 -2 -1 2 1 0 / 0 2 -1 -2 1 0 / 0 4 0 -5 0 1).
#define RESNEST_INPUT_TRANSFORM(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5)                              \
    o0 = 4 * (d0)-5 * (d2) + (d4);                                                                           \
    o1 = -4 * ((d1) + (d2)) + (d3) + (d4);                                                                   \
    o2 = 4 * ((d1) - (d2)) - (d3) + (d4);                                                                    \
    o3 = -2 * (d1) - (d2) + 2 * (d3) + (d4);                                                                 \
    o4 = 2 * (d1) - (d2)-2 * (d3) + (d4);                                                                    \
    o5 = 4 * (d1)-5 * (d3) + (d5)

// A^T m for six values (the rows of A^T: 1 1 1 1 1 0 / 0 1 -1 2 -2 0 / 0 1 1 4 4 0 / 0 1 -1 8 -8 1).
#define RESNEST_OUTPUT_TRANSFORM(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3)                                     \
    o0 = (m0) + (m1) + (m2) + (m3) + (m4);                                                                   \
    o1 = (m1) - (m2) + 2 * ((m3) - (m4));                                                                    \
    o2 = (m1) + (m2) + 4 * ((m3) + (m4));                                                                    \
    o3 = (m1) - (m2) + 8 * ((m3) - (m4)) + (m5)

struct Geometry {
    int64_t height, width, tilesDown, tilesAcross;
};

// Output tiles along a side of `size` pixels, the last one hanging over the edge.
int64_t tilesAlong(int64_t size) {
    return (size + kTile - 1) / kTile;
}

// Transformed input of tiles [begin, end) of a pass of `count` tiles that starts at tile `first`:
// v[(36 positions) x groups x (pass tiles) x (channels per group)]. x is (N, H, W, C) contiguous; outside the
// map the window reads zeros.
RESNEST_VECTOR_CLONES
void inputTiles(const float* __restrict x, int64_t channels, int64_t groupChannels, Geometry g, int64_t first,
                int64_t count, int64_t begin, int64_t end, float* __restrict v) {
    const int64_t positionStride = count * channels;
    alignas(64) const float zeros[kLanes] = {};
    const int64_t perImage = g.tilesDown * g.tilesAcross;
    for (int64_t t = begin; t < end; ++t) {
        const int64_t tile = first + t, n = tile / perImage, ty = tile % perImage / g.tilesAcross,
                      tx = tile % g.tilesAcross;
        const int64_t y0 = ty * kTile - 1, x0 = tx * kTile - 1;
        const float* image = x + n * g.height * g.width * channels;
        for (int64_t c0 = 0; c0 < channels; c0 += kLanes) {
            const float* p[kWindow][kWindow];
            for (int i = 0; i < kWindow; ++i) {
                for (int j = 0; j < kWindow; ++j) {
                    const int64_t yy = y0 + i, xx = x0 + j;
                    const bool inside = yy >= 0 && yy < g.height && xx >= 0 && xx < g.width;
                    p[i][j] = inside ? image + (yy * g.width + xx) * channels + c0 : zeros;
                }
            }
            alignas(64) float columns[kWindow][kWindow][kLanes];
            for (int j = 0; j < kWindow; ++j) {
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_INPUT_TRANSFORM(p[0][j][c], p[1][j][c], p[2][j][c], p[3][j][c], p[4][j][c],
                                            p[5][j][c], columns[0][j][c], columns[1][j][c], columns[2][j][c],
                                            columns[3][j][c], columns[4][j][c], columns[5][j][c]);
                }
            }
            alignas(64) float out[kWindow][kWindow][kLanes];
            for (int i = 0; i < kWindow; ++i) {
                const auto& r = columns[i];
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_INPUT_TRANSFORM(r[0][c], r[1][c], r[2][c], r[3][c], r[4][c], r[5][c],
                                            out[i][0][c], out[i][1][c], out[i][2][c], out[i][3][c],
                                            out[i][4][c], out[i][5][c]);
                }
            }
            // Staged through `out`: stores at a run-time stride would keep the compiler from vectorising.
            float* dst =
                v + (c0 / groupChannels) * count * groupChannels + t * groupChannels + c0 % groupChannels;
            for (int k = 0; k < kWindow * kWindow; ++k)
                std::memcpy(dst + k * positionStride, out[k / kWindow][k % kWindow], sizeof(float) * kLanes);
        }
    }
}

// Output tiles [begin, end) of a pass of `count` tiles from the GEMMs' results: m[position * groups + group]
// is a (pass tiles) x (outputs per group) matrix. Adds the bias and the optional ReLU; writes y (N, H, W,
// out) contiguous.
RESNEST_VECTOR_CLONES
void outputTiles(const float* const* m, const float* __restrict bias, int64_t outChannels,
                 int64_t groupChannels, Geometry g, int64_t first, int64_t begin, int64_t end, bool relu,
                 float* __restrict y) {
    const int64_t groups = outChannels / groupChannels;
    const int64_t perImage = g.tilesDown * g.tilesAcross;
    for (int64_t t = begin; t < end; ++t) {
        const int64_t tile = first + t, n = tile / perImage, ty = tile % perImage / g.tilesAcross,
                      tx = tile % g.tilesAcross;
        const int64_t y0 = ty * kTile, x0 = tx * kTile;
        float* image = y + n * g.height * g.width * outChannels;
        for (int64_t k0 = 0; k0 < outChannels; k0 += kLanes) {
            const int64_t group = k0 / groupChannels, offset = t * groupChannels + k0 % groupChannels;
            alignas(64) float rows[kTile][kWindow][kLanes];
            for (int j = 0; j < kWindow; ++j) {
                const float* s[kWindow];
                for (int i = 0; i < kWindow; ++i)
                    s[i] = m[(i * kWindow + j) * groups + group] + offset;
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_OUTPUT_TRANSFORM(s[0][c], s[1][c], s[2][c], s[3][c], s[4][c], s[5][c],
                                             rows[0][j][c], rows[1][j][c], rows[2][j][c], rows[3][j][c]);
                }
            }
            for (int i = 0; i < kTile && y0 + i < g.height; ++i) {
                const auto& r = rows[i];
                alignas(64) float out[kTile][kLanes];
                for (int c = 0; c < kLanes; ++c) {
                    RESNEST_OUTPUT_TRANSFORM(r[0][c], r[1][c], r[2][c], r[3][c], r[4][c], r[5][c], out[0][c],
                                             out[1][c], out[2][c], out[3][c]);
                    for (int j = 0; j < kTile; ++j) {
                        out[j][c] += bias[k0 + c];
                        if (relu)
                            out[j][c] = std::max(out[j][c], 0.0f);
                    }
                }
                for (int j = 0; j < kTile && x0 + j < g.width; ++j) {
                    float* dst = image + ((y0 + i) * g.width + x0 + j) * outChannels + k0;
                    std::memcpy(dst, out[j], sizeof(float) * kLanes);
                }
            }
        }
    }
}

} // namespace

WinogradConv::WinogradConv(const torch::Tensor& weight, const torch::Tensor& bias, int64_t groups, int shapes)
    : groups_(groups) {
    torch::NoGradGuard noGrad;
    TORCH_CHECK(weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3 && groups >= 1 &&
                    weight.size(0) % groups == 0,
                "WinogradConv needs (out, in / groups, 3, 3) filters");
    const int64_t out = weight.size(0), groupIn = weight.size(1), groupOut = out / groups;
    // The transforms step through channels kLanes at a time, with no remainder loop.
    TORCH_CHECK(groupIn % kLanes == 0 && groupOut % kLanes == 0,
                "WinogradConv needs channel counts per group that are multiples of ", kLanes);
    const auto g = torch::from_blob(const_cast<double*>(&kG[0][0]), {kWindow, 3}, torch::kFloat64);
    // U = G g G^T, laid out so that position p's (in, out) matrix of group q is one GEMM operand.
    const auto w = weight.detach().to(torch::kCPU, torch::kFloat64).view({groups, groupOut, groupIn, 3, 3});
    const auto filters = torch::einsum("ia,qkcab,jb->ijqck", {g, w, g})
                             .reshape({kWindow * kWindow * groups, groupIn, groupOut})
                             .to(torch::kFloat32);
    groupIn_ = groupIn;
    groupOut_ = groupOut;
    if (PrepackedConv::supports(torch::kFloat32)) {
        // A call runs passes of at most two tile counts: each input shape may keep two packings.
        for (int64_t i = 0; i < filters.size(0); ++i)
            gemms_.push_back(
                PrepackedConv::pointwise(filters[i].t(), torch::Tensor(), false, 2 * std::max(shapes, 1)));
    } else {
        filters_ = filters.contiguous();
    }
    bias_ = bias.defined() ? bias.detach().to(torch::kCPU, torch::kFloat32).contiguous()
                           : torch::zeros({weight.size(0)}, torch::kFloat32);
}

bool WinogradConv::suits(const torch::Tensor& weight, const std::vector<int64_t>& stride,
                         const std::vector<int64_t>& padding, const std::vector<int64_t>& dilation,
                         int64_t groups) {
    const auto ones = std::vector<int64_t>{1, 1};
    if (!weight.defined() || !weight.device().is_cpu() || weight.scalar_type() != torch::kFloat32 ||
        weight.dim() != 4 || weight.size(2) != 3 || weight.size(3) != 3 || stride != ones ||
        padding != ones || dilation != ones || groups < 1 || weight.size(0) % groups != 0)
        return false;
    const int64_t groupIn = weight.size(1), groupOut = weight.size(0) / groups;
    return groupIn % kLanes == 0 && groupOut % kLanes == 0 && groupIn >= kMinGroupChannels &&
           groupOut >= kMinGroupChannels;
}

bool WinogradConv::fits(const torch::Tensor& x) const {
    return defined() && x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.dim() == 4 &&
           x.size(1) == groupIn_ * groups_ && !x.is_mkldnn();
}

bool WinogradConv::takes(const torch::Tensor& x) const {
    return fits(x) && !(torch::GradMode::is_enabled() && x.requires_grad()) &&
           x.size(0) * tilesAlong(x.size(2)) * tilesAlong(x.size(3)) * groupIn_ * groupOut_ >= kMinGemmWork;
}

torch::Tensor WinogradConv::operator()(const torch::Tensor& input, bool relu) const {
    TORCH_CHECK(fits(input), "WinogradConv: needs a float32 CPU (N, ", groupIn_ * groups_,
                ", H, W) tensor, got ", input.sizes(), " ", input.scalar_type());
    torch::NoGradGuard noGrad;
    const torch::Tensor x = input.contiguous(torch::MemoryFormat::ChannelsLast);
    const int64_t batch = x.size(0), in = x.size(1), groupIn = groupIn_, groupOut = groupOut_,
                  out = groupOut * groups_;
    const Geometry g{x.size(2), x.size(3), tilesAlong(x.size(2)), tilesAlong(x.size(3))};
    const int64_t tiles = batch * g.tilesDown * g.tilesAcross;
    auto y = torch::empty({batch, out, g.height, g.width},
                          x.options().memory_format(torch::MemoryFormat::ChannelsLast));

    if (tiles == 0)
        return y;
    const int64_t positions = kWindow * kWindow;
    const int64_t maxPass = std::max<int64_t>(64, kPassFloats / (positions * std::max(in, out)));
    const int64_t passes = (tiles + maxPass - 1) / maxPass;
    const int64_t perPass = (tiles + passes - 1) / passes;
    const float* xp = x.data_ptr<float>();
    const float* bias = bias_.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    for (int64_t first = 0; first < tiles; first += perPass) {
        const int64_t count = std::min(perPass, tiles - first);
        auto v = torch::empty({positions * groups_, count, groupIn},
                              x.options().memory_format(torch::MemoryFormat::Contiguous));
        float* vp = v.data_ptr<float>();
        at::parallel_for(0, count, 8, [&](int64_t begin, int64_t end) {
            inputTiles(xp, in, groupIn, g, first, count, begin, end, vp);
        });
        // One GEMM per position and group: (pass tiles x in) by (in x out).
        std::vector<torch::Tensor> products;
        std::vector<const float*> mp(positions * groups_);
        if (gemms_.empty()) {
            products.push_back(torch::bmm(v, filters_));
            for (int64_t i = 0; i < positions * groups_; ++i)
                mp[i] = products[0].data_ptr<float>() + i * count * groupOut;
        } else {
            for (int64_t i = 0; i < positions * groups_; ++i) {
                products.push_back(gemms_[i].rows(v[i]));
                mp[i] = products.back().data_ptr<float>();
            }
        }
        at::parallel_for(0, count, 8, [&](int64_t begin, int64_t end) {
            outputTiles(mp.data(), bias, out, groupOut, g, first, begin, end, relu, yp);
        });
    }
    return y;
}

} // namespace resnest
