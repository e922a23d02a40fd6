#include "ui/widgets/ShortSideSpinBox.h"

#include <QLineEdit>
#include <QRegularExpression>
#include <algorithm>

namespace resnest {

namespace {
constexpr int kStep = 32;
constexpr int kMaximum = PredictOptions::kMaxShortSide;
} // namespace

ShortSideSpinBox::ShortSideSpinBox(QWidget* parent) : QSpinBox(parent) {
    setRange(kModel, kMaximum);
    setSingleStep(kStep);
    setValue(kModel);
    setToolTip(
        tr("Segmentation: resize the shorter side to this before the network (the mask is brought back "
           "to the image). 'model's' is the size the model was evaluated at: its card's (the demo "
           "segmenter's digits come out best at 240 px on 640x480 video), or its project's test scale "
           "(mmsegmentation ADE20K 512 px, Cityscapes 1024 px; PyTorch-Encoding a long side of 520 px); "
           "'image size' runs at the image's own size"));
}

void ShortSideSpinBox::setModelSide(int shortSide, int longSide) {
    modelSide_ = std::max(0, shortSide);
    modelLongSide_ = std::max(0, longSide);
    // The text of the current value may have changed under it.
    lineEdit()->setText(textFromValue(value()));
}

QString ShortSideSpinBox::modelText() const {
    // A longer-side limit beside a shorter side matters only for panoramas: the shorter side says it.
    if (modelSide_ > 0)
        return tr("model's (%1 px)").arg(modelSide_);
    if (modelLongSide_ > 0)
        return tr("model's (long side %1 px)").arg(modelLongSide_);
    return tr("model's (image size)");
}

QString ShortSideSpinBox::textFromValue(int value) const {
    if (value <= kModel)
        return modelText();
    if (value == kImage)
        return tr("image size");
    return tr("%1 px").arg(value);
}

int ShortSideSpinBox::valueFromText(const QString& text) const {
    const QString t = text.trimmed();
    if (t.startsWith(tr("model"), Qt::CaseInsensitive))
        return kModel;
    if (t.startsWith(tr("image"), Qt::CaseInsensitive))
        return kImage;
    static const QRegularExpression number(QStringLiteral("^(\\d+)"));
    const QRegularExpressionMatch m = number.match(t);
    return m.hasMatch() ? std::min(kMaximum, m.captured(1).toInt()) : value();
}

QValidator::State ShortSideSpinBox::validate(QString& text, int&) const {
    const QString t = text.trimmed();
    if (t.isEmpty())
        return QValidator::Intermediate;
    for (const QString& word : {modelText(), tr("image size")}) {
        if (word.compare(t, Qt::CaseInsensitive) == 0)
            return QValidator::Acceptable;
        if (word.startsWith(t, Qt::CaseInsensitive))
            return QValidator::Intermediate;
    }
    static const QRegularExpression size(QStringLiteral("^(\\d{1,4})\\s*(p|px)?$"));
    const QRegularExpressionMatch m = size.match(t);
    if (!m.hasMatch())
        return QValidator::Invalid;
    const int v = m.captured(1).toInt();
    if (v > kMaximum)
        return QValidator::Invalid;
    return m.captured(2) == QStringLiteral("p") ? QValidator::Intermediate : QValidator::Acceptable;
}

void ShortSideSpinBox::stepBy(int steps) {
    int v = value();
    for (; steps > 0; --steps)
        v = v < kImage ? kImage : std::min(kMaximum, (v / kStep + 1) * kStep);
    for (; steps < 0; ++steps)
        v = v <= kImage ? kModel : v <= kStep ? kImage : ((v - 1) / kStep) * kStep;
    setValue(v);
}

QAbstractSpinBox::StepEnabled ShortSideSpinBox::stepEnabled() const {
    StepEnabled e = StepNone;
    if (value() > kModel)
        e |= StepDownEnabled;
    if (value() < kMaximum)
        e |= StepUpEnabled;
    return e;
}

} // namespace resnest
