#include "ui/widgets/BlockTree.h"

#include "core/attention/AttentionStatistics.h"

#include <QHeaderView>

namespace resnest {

namespace {

enum Column { kName, kRadix, kCardinality, kChannels, kStride, kEntropy, kColumns };

} // namespace

BlockTree::BlockTree(QWidget* parent) : QTreeWidget(parent) {
    setColumnCount(kColumns);
    setHeaderLabels({tr("Block"), tr("R"), tr("K"), tr("C"), tr("stride"), tr("entropy")});
    headerItem()->setToolTip(kRadix, tr("radix: splits per cardinal group"));
    headerItem()->setToolTip(kCardinality, tr("cardinality: groups"));
    headerItem()->setToolTip(kChannels, tr("channels of each split"));
    headerItem()->setToolTip(kStride, tr("input pixels per map pixel"));
    headerItem()->setToolTip(kEntropy, tr("mean radix entropy / log R for this frame: 0 one-hot, 1 uniform"));
    header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    setRootIsDecorated(true);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item && item->parent()) // a block, not a stage
            Q_EMIT blockChosen(item->text(kName));
    });
}

void BlockTree::setBlocks(const std::vector<AttentionBlock>& blocks) {
    QStringList names;
    for (const AttentionBlock& b : blocks)
        names << QString::fromStdString(b.name);
    if (names != names_) {
        const QString previous = currentBlock();
        QSignalBlocker quiet(this);
        clear();
        names_ = names;
        QTreeWidgetItem* stage = nullptr;
        for (const AttentionBlock& b : blocks) {
            const QString name = QString::fromStdString(b.name);
            const QString stageName = name.section('.', 0, 0);
            if (!stage || stage->text(kName) != stageName) {
                stage = new QTreeWidgetItem(this, {stageName});
                stage->setFlags(Qt::ItemIsEnabled);
                stage->setExpanded(true);
            }
            new QTreeWidgetItem(stage, {name, QString::number(b.radix), QString::number(b.cardinality),
                                        QString::number(b.channels), QString::number(b.stride), QString()});
        }
        setCurrentBlock(names_.contains(previous) ? previous : names_.value(names_.size() - 1));
    }
    // Entropy of this frame, per block.
    int i = 0;
    for (int s = 0; s < topLevelItemCount(); ++s)
        for (int c = 0; c < topLevelItem(s)->childCount(); ++c, ++i)
            if (i < int(blocks.size()))
                topLevelItem(s)->child(c)->setText(
                    kEntropy,
                    QString::number(AttentionStatistics::ofBlock(blocks[size_t(i)], 2).entropy, 'f', 3));
}

QString BlockTree::currentBlock() const {
    const QTreeWidgetItem* item = currentItem();
    return item && item->parent() ? item->text(kName) : QString();
}

void BlockTree::setCurrentBlock(const QString& name) {
    const auto found = findItems(name, Qt::MatchExactly | Qt::MatchRecursive, kName);
    for (QTreeWidgetItem* item : found)
        if (item->parent()) {
            QSignalBlocker quiet(this);
            setCurrentItem(item);
            scrollToItem(item);
        }
}

} // namespace resnest
