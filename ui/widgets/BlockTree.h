#pragma once

#include "core/api/AttentionBlock.h"

#include <QTreeWidget>
#include <vector>

namespace resnest {

// Stages and their split-attention blocks with radix R, cardinality K, channels C, the block's stride on the
// input and its radix entropy for the shown frame. Arrow keys move between blocks; choosing one emits
// blockChosen. The tree is rebuilt only when the network changes, so the choice survives new frames.
class BlockTree : public QTreeWidget {
    Q_OBJECT
public:
    explicit BlockTree(QWidget* parent = nullptr);

    void setBlocks(const std::vector<AttentionBlock>& blocks);
    QString currentBlock() const;
    void setCurrentBlock(const QString& name);

    Q_SIGNAL void blockChosen(const QString& name);

private:
    QStringList names_;
};

} // namespace resnest
