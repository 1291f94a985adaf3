/**
 * The datasets PIE Audit knows by name: where their files come from and how to tell
 * that a file is the genuine one. A file passes when its gzip bytes have the published
 * MD5 or its decompressed content has the SHA-256 recorded here (distributions such as
 * Debian recompress the .gz files, which changes the first but not the second).
 */
export interface KnownFile {
  name: string;
  md5?: string;
  contentSha256?: string;
}

export interface KnownIdxDataset {
  kind: 'fashion-mnist' | 'mnist';
  title: string;
  /** Folders searched before the cache and the download (OS packages). */
  systemFolders: string[];
  /** Base URL of the official files (ends with /). */
  url: string;
  classes: string[];
  train: { images: KnownFile; labels: KnownFile };
  test: { images: KnownFile; labels: KnownFile };
}

export const FASHION_MNIST: KnownIdxDataset = {
  kind: 'fashion-mnist',
  title: 'Fashion-MNIST',
  systemFolders: ['/usr/share/datasets/fashion-mnist'],
  url: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  train: {
    images: {
      name: 'train-images-idx3-ubyte.gz',
      md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      contentSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    labels: {
      name: 'train-labels-idx1-ubyte.gz',
      md5: '25c81989df183df01b3e8a0aad5dffbe',
      contentSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
  },
  test: {
    images: {
      name: 't10k-images-idx3-ubyte.gz',
      md5: 'bef4ecab320f06d8554ea6380940ec79',
      contentSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    labels: {
      name: 't10k-labels-idx1-ubyte.gz',
      md5: 'bb300cfdad3c16e7a12a480ee83cd310',
      contentSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  },
};

export const MNIST: KnownIdxDataset = {
  kind: 'mnist',
  title: 'MNIST',
  systemFolders: ['/usr/share/datasets/mnist'],
  // yann.lecun.com refuses most automated downloads; this is PyTorch's mirror of it.
  url: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  train: {
    images: { name: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
    labels: { name: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
  },
  test: {
    images: { name: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
    labels: { name: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
  },
};

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export function knownFiles(dataset: KnownIdxDataset): KnownFile[] {
  return [dataset.train.images, dataset.train.labels, dataset.test.images, dataset.test.labels];
}
